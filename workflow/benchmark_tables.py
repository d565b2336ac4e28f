"""Tables measured by localsgd-microbench instead of trained ([benchmark] declarations).

    model    (Table 6): per model, parameters, multiply-accumulates (MACs) per image and the
             scaling ratio FLOPs per image / parameters, with FLOPs = 2 x MACs;
    fwd-bwd  (Table 7): per batch size, the median time of forward + backward on this machine,
             images per second, and the time per image relative to the smallest batch.

Each model's measurement is results/<scale>/bench/<table>/<model>.jsonl (rule microbench).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import tables  # workflow/tables.py: TableError


def _records(path: Path, keys) -> list:
    """The JSON lines of a benchmark output, each checked to hold `keys` as finite numbers."""
    try:
        lines = [(n, line) for n, line in enumerate(path.read_text().splitlines(), 1) if line.strip()]
    except OSError as e:
        raise tables.TableError(f"{path}: {e.strerror or e}") from e
    out = []
    for n, line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise tables.TableError(f"{path}:{n}: {e.msg}") from e
        for k in keys:
            v = record.get(k) if isinstance(record, dict) else None
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or v <= 0:
                raise tables.TableError(f"{path}:{n}: {k} = {v!r} is not a positive number")
        out.append(record)
    if not out:
        raise tables.TableError(f"{path}: no records")
    return out


def _millions(x) -> str:
    return f"{x / 1e6:.3f} M" if x < 1e9 else f"{x / 1e9:.3f} G"


def model_table(st, bench_dir: Path) -> tuple:
    cols = ["Input", "Parameters", "MACs per image", "FLOPs per image / parameter"]
    rows, cells, long = [], {}, []
    for model, missing in st.bench_cells:
        rows.append(model)
        if missing:
            cells[(model, cols[0])] = "waiting for: " + ", ".join(missing)
            long.append([model, "", "", "", "", ", ".join(missing)])
            continue
        r = _records(bench_dir / f"{model}.jsonl", ("parameters", "multiply_accumulates"))[0]
        ratio = 2 * r["multiply_accumulates"] / r["parameters"]
        for c, text in zip(cols, (str(r.get("input", "")), _millions(r["parameters"]),
                                  _millions(r["multiply_accumulates"]), f"{ratio:.1f}")):
            cells[(model, c)] = text
        long.append([model, r.get("input", ""), r["parameters"], r["multiply_accumulates"],
                     f"{ratio:.4f}", ""])
    notes = ["Counted from the models as this scale builds them (width, input size), not "
             "trained: parameters, and multiply-accumulates of the convolutions and the classifier "
             "for one image (BN, ReLU, pooling and additions not counted); FLOPs = 2 x MACs."]
    header = ["row", "input", "parameters", "multiply_accumulates", "flops_per_parameter",
              "waiting_for"]
    return rows, cols, cells, notes, header, long


def fwd_bwd_table(st, bench_dir: Path) -> tuple:
    cols = ["Seconds per iteration (median)", "Images per second",
            "Time per image / at the smallest batch"]
    model = st.benchmark_models()[0]
    records = _records(bench_dir / f"{model}.jsonl", ("batch", "median_seconds", "threads"))
    first = records[0]["median_seconds"] / records[0]["batch"]
    rows, cells, long = [], {}, []
    for r in records:
        row = str(int(r["batch"]))
        per_image = r["median_seconds"] / r["batch"]
        rows.append(row)
        for c, text in zip(cols, (f"{r['median_seconds']:.4f}", f"{r['batch'] / r['median_seconds']:.0f}",
                                  f"{per_image / first:.2f}")):
            cells[(row, c)] = text
        long.append([row, model, r["batch"], f"{r['median_seconds']:.6f}",
                     f"{r['batch'] / r['median_seconds']:.1f}", f"{per_image / first:.4f}",
                     r.get("iterations", ""), int(r["threads"])])
    threads = sorted({int(r["threads"]) for r in records})
    cpu = records[0].get("cpu", "")
    notes = [f"Measured by localsgd-microbench fwd-bwd on the machine that ran it ({cpu or 'CPU'}"
             f", {', '.join(map(str, threads))} intra-op thread(s)): forward, loss and backward "
             "of the scale's model on synthetic images of the dataset's shape, no optimizer step "
             "and no communication; the median over at least 5 iterations and 1 s after 2 warm-up "
             "ones. The last column is (time / B) / (time / B at the smallest B): below 1, larger "
             "batches use the hardware better. The paper measured one TITAN Xp GPU."]
    header = ["row", "model", "batch", "median_iteration_s", "images_per_s",
              "per_image_time_ratio", "iterations", "threads"]
    return rows, cols, cells, notes, header, long


def table(st, bench_root: Path) -> tuple:
    """(rows, cols, cells, notes, csv header, csv rows) of a [benchmark] table."""
    bench_dir = Path(bench_root) / st.experiment.id
    if st.experiment.benchmark.command == "model":
        return model_table(st, bench_dir)
    return fwd_bwd_table(st, bench_dir)
