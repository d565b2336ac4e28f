"""The tables of the experiment registry (configs/experiments/table*.toml) at a scale, in
Markdown, CSV and LaTeX (booktabs). Used by the Snakefile's experiment_table rule, and runnable
by hand:

    python3 workflow/tables.py --experiment CONFIGS_DIR SCALE ID RUNS_DIR OUT.md OUT.csv OUT.tex

where RUNS_DIR holds <variant>/seed<seed>/ for every run the table reads (and RUNS_DIR/../bench/
the micro-benchmarks' records).

Accuracies are shown in percent. Mean and sample std (ddof=1) over the seeds that completed;
with one completed seed only the mean is shown. Diverged seeds are left out of the mean and
counted in the cell ("diverged" when all seeds diverged). Time-to-accuracy and speedup cells:
see TimeMetric; micro-benchmark tables: workflow/benchmark_tables.py.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import statistics
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import timing as timing_lib  # noqa: E402  (workflow/timing.py)

STATUSES = ("completed", "diverged")


class TableError(ValueError):
    pass


@dataclass
class Stat:
    """One accuracy column of one variant, over its seeds, in percent."""
    values: list  # percentages of the completed seeds
    diverged: int
    seeds: int

    @property
    def mean(self):
        return statistics.fmean(self.values) if self.values else None

    @property
    def std(self):
        return statistics.stdev(self.values) if len(self.values) >= 2 else None

    def cell(self) -> str:
        if not self.values:
            return f"diverged ({self.diverged} of {self.seeds})" if self.seeds > 1 else "diverged"
        text = f"{self.mean:.2f}"
        if self.std is not None:
            text += f" ± {self.std:.2f}"
        if self.diverged:
            text += f" ({self.diverged} of {self.seeds} diverged)"
        return text


def load_summary(path) -> dict:
    path = Path(path)
    try:
        with path.open() as f:
            summary = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise TableError(f"{path}: cannot read summary: {e}") from e
    status = summary.get("status")
    if status not in STATUSES:
        raise TableError(f"{path}: status {status!r} is not one of {STATUSES}")
    if status == "completed":
        for key in ("best_test_accuracy", "final_test_accuracy"):
            value = summary.get(key)
            if not isinstance(value, (int, float)) or isinstance(value, bool) \
                    or not math.isfinite(value) or not 0.0 <= value <= 1.0:
                raise TableError(f"{path}: {key} = {value!r} is not a fraction in [0, 1]")
    return summary


def write_atomic(path, text: str) -> None:
    """Writes to a temporary name beside `path`, then renames it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


# ------------------------------------------------------------------ registry experiments
@dataclass
class Measured:
    """One cell's value over the seeds of its run: its text, and its numbers for the CSV."""
    text: str
    mean: float | None = None
    std: float | None = None
    extra: tuple = ()   # values of the metric's EXTRA_CSV columns


class RunFiles:
    """The seeds' summaries and times of the variants a table reads, each read once."""

    def __init__(self, runs_dir, seeds):
        self.runs_dir, self.seeds = Path(runs_dir), seeds
        self._summaries, self._times = {}, {}

    def summaries(self, variant) -> list:
        """(run dir, summary) per seed."""
        if variant.name not in self._summaries:
            dirs = [self.runs_dir / variant.name / f"seed{s}" for s in self.seeds]
            self._summaries[variant.name] = [(d, load_summary(d / "summary.json")) for d in dirs]
        return self._summaries[variant.name]

    def completed(self, variant) -> list:
        return [x for _, x in self.summaries(variant) if x["status"] == "completed"]

    def times(self, variant) -> list:
        """RunTimes of the seeds that completed."""
        if variant.name not in self._times:
            self._times[variant.name] = [
                timing_lib.load_run_times(d, x) for d, x in self.summaries(variant)
                if x["status"] == "completed"]
        return self._times[variant.name]

    def comm_constants(self) -> list:
        """Distinct [comm] cost-model constants of the runs read so far (from config.toml):
        tuples of COMM_KEYS' values."""
        seen = []
        for name, runs in self._summaries.items():
            for d, _ in runs:
                try:
                    with open(d / "config.toml", "rb") as f:
                        comm = tomllib.load(f).get("comm", {})
                except (OSError, tomllib.TOMLDecodeError) as e:
                    raise TableError(f"{d / 'config.toml'}: {e}") from e
                key = tuple(comm.get(k) for k in COMM_KEYS)
                if key not in seen:
                    seen.append(key)
        return seen


# The link constants of the communication model, then the compute calibration.
COMM_KEYS = ("latency", "bandwidth", "block_latency", "block_bandwidth",
             "compute_step_seconds", "compute_sample_seconds")


def _seeds_note(n_values, n_seeds, diverged, what):
    """' (1 of 2 diverged; 1 of 2 not reached)' or ''."""
    notes = []
    if diverged:
        notes.append(f"{diverged} of {n_seeds} diverged")
    if n_values < n_seeds - diverged:
        notes.append(f"{n_seeds - diverged - n_values} of {n_seeds} {what}")
    return f" ({'; '.join(notes)})" if notes else ""


class AccuracyMetric:
    """best_test_accuracy / final_test_accuracy: percent, mean ± std over completed seeds."""
    EXTRA_CSV = ()

    def __init__(self, exp, cells, files):
        self.key, self.files = exp.metric, files
        self.name = "best" if exp.metric == "best_test_accuracy" else "final"
        self.csv_value = f"{self.name}_test_acc"

    def cell(self, spec, variant) -> Measured:
        summaries = [x for _, x in self.files.summaries(variant)]
        ok = [x for x in summaries if x["status"] == "completed"]
        stat = Stat(values=[100.0 * x[self.key] for x in ok], diverged=len(summaries) - len(ok),
                    seeds=len(summaries))
        return Measured(stat.cell(), stat.mean, stat.std)

    def notes(self) -> list:
        return [f"Cells: {self.name} test accuracy in percent, mean ± sample std over n seeds "
                "(diverged seeds excluded and counted)."]


PHASE_TEXT = {
    "to-target": "the time to reach the target accuracy",
    "whole": "the time of the whole training",
    "post-local": "the time of post-local SGD's local phase (from its switch epoch to the end; "
                  "the baseline over the same epochs)",
}


def _seconds(x: float) -> str:
    """Seconds to three significant digits, without an exponent: 0.00672, 12.3, 4567."""
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:#.3g}".rstrip(".")


class TimeMetric:
    """time_to_accuracy (seconds) and speedup (the baseline's mean time / the cell's)."""
    EXTRA_CSV = ("reached", "time_s_mean", "baseline_time_s_mean", "target_test_acc",
                 "time_basis")

    def __init__(self, exp, cells, files):
        self.exp, self.files = exp, files
        self.by_cell = {(spec.row, spec.col): v for spec, v, _ in cells}
        self.csv_value = "time_to_accuracy_s" if exp.metric == "time_to_accuracy" else "speedup"
        self.bases, self.targets = set(), {}

    def target(self, col):
        """Target accuracy (fraction) of column `col`, or None when the baseline cannot give one."""
        if self.exp.phase != "to-target":
            return None
        cell = self.exp.baseline_cell(col)
        if cell not in self.targets:
            base = self.by_cell.get(cell)
            best = [x["best_test_accuracy"] for x in self.files.completed(base)] if base else []
            self.targets[cell] = self.exp.target_fraction * statistics.fmean(best) if best else None
        return self.targets[cell]

    def seconds(self, times, col, start_epoch):
        """A run's seconds in the measured phase; None if it never reaches the target."""
        self.bases.add(times.basis)
        if self.exp.phase == "whole":
            return times.total()
        if self.exp.phase == "post-local":
            return times.since_epoch(start_epoch)
        return times.time_to(self.target(col))

    def cell(self, spec, variant) -> Measured:
        summaries = self.files.summaries(variant)
        n, runs = len(summaries), self.files.times(variant)
        diverged = n - len(runs)
        if not runs:
            return Measured(f"diverged ({diverged} of {n})" if n > 1 else "diverged")
        target = self.target(spec.col)
        if self.exp.phase == "to-target" and target is None:
            return Measured("no target: the baseline did not complete")
        start = runs[0].local_from_epoch
        is_baseline = (spec.row, spec.col) == self.exp.baseline_cell(spec.col)
        if self.exp.phase == "post-local" and start is None:
            # the baseline's phase is that of the run it is compared with
            return Measured("baseline" if is_baseline else "no post-local phase",
                            1.0 if is_baseline else None)
        mine = [t for t in (self.seconds(r, spec.col, start) for r in runs) if t is not None]
        note = _seeds_note(len(mine), n, diverged, "not reached")
        target_txt = "" if target is None else f"{100 * target:.2f}"
        if not mine:
            return Measured("not reached" + (f" ({diverged} of {n} diverged)" if diverged else ""),
                            extra=(0, "", "", target_txt, runs[0].basis))
        mean = statistics.fmean(mine)
        if mean <= 0:  # a post-local switch at the very end leaves an empty phase
            return Measured("no time in this phase" + note, extra=(len(mine), "0", "", target_txt,
                                                                  runs[0].basis))
        std = statistics.stdev(mine) if len(mine) >= 2 else None
        extra = lambda base: (len(mine), f"{mean:.4f}", base, target_txt, runs[0].basis)  # noqa: E731
        if self.exp.metric == "time_to_accuracy":
            text = _seconds(mean) + (f" ± {_seconds(std)}" if std is not None else "") + " s"
            return Measured(text + note, mean, std, extra(""))
        if is_baseline:
            return Measured(f"baseline: {_seconds(mean)} s" + note, 1.0, None, extra(f"{mean:.4f}"))
        base_runs = self.files.times(self.by_cell[self.exp.baseline_cell(spec.col)])
        base = [t for t in (self.seconds(r, spec.col, start) for r in base_runs) if t is not None]
        if not base:
            return Measured("the baseline did not reach the target", extra=extra(""))
        base_mean = statistics.fmean(base)
        return Measured(f"{base_mean / mean:.2f}×" + note, base_mean / mean, None,
                        extra(f"{base_mean:.4f}"))

    def notes(self) -> list:
        row, col = self.exp.baseline
        where = f"{row}" + (f", {col}" if col is not None else " in the same column")
        if self.exp.metric == "time_to_accuracy":
            out = ["Cells: seconds of training until the first evaluation at or above the target "
                   "accuracy, mean ± sample std over the seeds that reached it (diverged and "
                   "unreached seeds excluded and counted)."]
        else:
            out = [f"Cells: speedup = the baseline's mean time / this run's mean time, over "
                   f"{PHASE_TEXT[self.exp.phase]}; baseline {where}. Means are over the seeds "
                   "that completed (and reached the target); the others are counted in the cell."]
        if self.exp.phase == "to-target":
            targets = ", ".join(f"{100 * t:.2f} %" if t is not None else "none"
                                for t in dict.fromkeys(self.targets.values()))
            out.append(f"Target accuracy: {self.exp.target_fraction:g} × the baseline's ({where}) "
                       f"mean best test accuracy = {targets}. The time is that of the first "
                       "evaluation reaching it, so its resolution is the evaluation interval.")
        out.append(self.basis_note())
        return out

    def basis_note(self) -> str:
        if self.bases == {"measured"}:
            return ("Times are measured: the workers ran as separate processes; training time "
                    "without evaluations.")
        constants = self.files.comm_constants()
        links = "; ".join(
            f"latency {lat * 1e6:g} µs and {bw / 1e9:g} GB/s between blocks, {blat * 1e6:g} µs "
            f"and {bbw / 1e9:g} GB/s within them"
            for lat, bw, blat, bbw in dict.fromkeys(c[:4] for c in constants)
            if None not in (lat, bw, blat, bbw))
        text = ("Times are modelled (the workers were simulated in one process): one worker's "
                f"compute ({compute_note(constants)}) + a communication cost model, ceil(log2 g) × "
                f"(latency + bytes / bandwidth) per all-reduce over g workers ({links}) + any "
                "injected delay per global average.")
        if "measured" in self.bases:
            text = "Times are mixed: measured for distributed runs. " + text
        return text


def compute_note(constants) -> str:
    """How the runs' compute was charged: by a calibration (comm.compute_step_seconds and
    comm.compute_sample_seconds, the same for equal runs) or as the measured share."""
    parts = []
    for c in dict.fromkeys(c[4:] for c in constants):
        step, sample = (v or 0 for v in c)
        if step > 0 or sample > 0:
            parts.append(f"calibrated: {step * 1e3:g} ms + {sample * 1e6:g} µs per sample of the "
                         "local batch, per step")
        else:
            parts.append("the measured compute time / K, which moves with the machine's load")
    return "; ".join(parts) or "the measured compute time / K"


def experiment_tables(configs_dir, scale, exp_id, runs_dir):
    """(markdown, csv, latex) of a declared table at a scale (configs/experiments/<id>.toml)."""
    import registry as reg_lib  # workflow/registry.py
    reg = reg_lib.build(configs_dir, scale)
    if exp_id not in reg.statuses or reg.statuses[exp_id].state not in ("ready", "partial"):
        raise TableError(f"{exp_id}: not buildable at scale {scale!r}")
    st = reg.statuses[exp_id]
    if st.experiment.benchmark:
        import benchmark_tables  # workflow/benchmark_tables.py
        return render(reg, st, *benchmark_tables.table(st, Path(runs_dir).parent / "bench"))
    return render(reg, st, *run_table(st, reg.scale.seeds, runs_dir))


def run_table(st, seeds, runs_dir) -> tuple:
    """(rows, cols, cells, notes, csv header, csv rows) of a table of training runs."""
    import registry as reg_lib
    exp = st.experiment
    files = RunFiles(runs_dir, seeds)
    metric = (TimeMetric if exp.metric in reg_lib.TIME_METRICS else AccuracyMetric)(
        exp, st.cells, files)
    paper = {(p.row, p.col): p for p in exp.paper_values}
    rows, cols, cells, long = [], [], {}, []
    num = (lambda x: "" if x is None else f"{x:.4f}")
    for spec, variant, missing in st.cells:
        rows.append(spec.row) if spec.row not in rows else None
        cols.append(spec.col) if spec.col not in cols else None
        pv = paper.get((spec.row, spec.col))
        ptxt = f"{pv.value} [{pv.tag}]" if pv else ""
        pcsv = [pv.value if pv else "", pv.tag if pv else ""]
        if variant is None:
            cells[(spec.row, spec.col)] = "waiting for: " + ", ".join(missing) + \
                (f"; paper {ptxt}" if ptxt else "")
            long.append([spec.row, spec.col] + [""] * (9 + len(metric.EXTRA_CSV)) + pcsv
                        + [", ".join(missing)])
            continue
        m = metric.cell(spec, variant)
        text = m.text + (f" (n={len(seeds)})" if len(seeds) > 1 else "")
        cells[(spec.row, spec.col)] = text + (f"; paper {ptxt}" if ptxt else "")
        extra = list(m.extra) or [""] * len(metric.EXTRA_CSV)
        long.append([spec.row, spec.col, variant.name, variant.kind, variant.workers,
                     variant.local_batch, variant.local_steps,
                     variant.block_steps if variant.takes("algorithm.block_steps") else "",
                     len(seeds), num(m.mean), num(m.std)] + extra + pcsv + [""])
    notes = metric.notes() + trained_batches_note(st) + [
        "\"paper\" is the paper's value with its confidence tag: [V] stated in the prose, [C] "
        "from the code, [I] inferred, [U] unverified (recalled)."]
    header = ["row", "col", "variant", "algorithm", "K", "B_loc", "H", "H_b", "seeds",
              f"{metric.csv_value}_mean", f"{metric.csv_value}_std", *metric.EXTRA_CSV,
              "paper_value", "paper_tag", "waiting_for"]
    return rows, cols, cells, notes, header, long


BATCH_LABEL = re.compile(r"(^|[^A-Za-z])(K·)?B(_loc)?\s*=")   # "K·B = 256", "B=512", "K·B_loc=2048"


def trained_batches_note(st) -> list:
    """The batches as trained, for every row or column label that names a batch (the labels
    give the paper's settings; a scale's batch factor trains others): 'K·B_loc=2048: K = 16 ×
    B_loc = 32 = 512', a label whose runs differ giving each."""
    trained = {}
    for spec, variant, _ in st.cells:
        if variant is None:
            continue
        for label in (spec.row, spec.col):
            if label and BATCH_LABEL.search(label):
                trained.setdefault(label, {})[(variant.workers, variant.local_batch)] = None
    if not trained:
        return []
    parts = [f"{label}: " + ", ".join(f"K = {k} × B_loc = {b} = {k * b}" for k, b in kb)
             for label, kb in trained.items()]
    return ["Batches as trained (the labels give the paper's): " + "; ".join(parts) + "."]


def render(reg, st, rows, cols, cells, notes, csv_header, csv_rows) -> tuple:
    """(markdown, csv, latex) of a table: `cells` maps (row, col) to text."""
    exp, scale = st.experiment, reg.scale.name
    header = [exp.row_header] + [c or "Result" for c in cols]
    md = [f"## {exp.id}: {exp.caption}", "", f"Scale `{scale}`: {reg.scale.description}.", ""]
    esc = (lambda c: c.replace("|", "\\|"))
    md.append("| " + " | ".join(esc(h) for h in header) + " |")
    md.append("|---|" + "---:|" * len(cols))
    for r in rows:
        md.append("| " + " | ".join([esc(r)] + [esc(cells.get((r, c), "—")) for c in cols]) + " |")
    md += [""] + notes
    if st.state == "partial":
        md.append(f"Not built yet (waiting for: {', '.join(st.missing)}): those cells say so.")
    md += ["", f"Paper settings: {exp.paper}", ""]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(csv_header)
    w.writerows(csv_rows)
    tex_esc = (lambda c: c.replace("\\", "").replace("&", "\\&").replace("%", "\\%")
               .replace("_", "\\_").replace("#", "\\#").replace("±", "$\\pm$")
               .replace("·", "$\\cdot$").replace("×", "$\\times$").replace("^b", "$^b$"))
    tex = ["% " + exp.id + ": " + exp.caption + f" (scale {scale})",
           "\\begin{tabular}{l" + "r" * len(cols) + "}", "\\toprule",
           " & ".join(tex_esc(h) for h in header) + " \\\\", "\\midrule"]
    for r in rows:
        tex.append(" & ".join([tex_esc(r)] + [tex_esc(cells.get((r, c), "--")) for c in cols])
                   + " \\\\")
    tex += ["\\bottomrule", "\\end{tabular}", ""]
    return "\n".join(md), buf.getvalue(), "\n".join(tex)


def write_experiment(configs_dir, scale, exp_id, runs_dir, md_path, csv_path, tex_path):
    md, csv_text, tex = experiment_tables(configs_dir, scale, exp_id, runs_dir)
    write_atomic(md_path, md)
    write_atomic(csv_path, csv_text)
    write_atomic(tex_path, tex)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 8 or argv[0] != "--experiment":
        print(__doc__, file=sys.stderr)
        print("usage: tables.py --experiment CONFIGS_DIR SCALE ID RUNS_DIR OUT.md OUT.csv OUT.tex",
              file=sys.stderr)
        return 2
    try:
        write_experiment(*argv[1:])
    except (TableError, timing_lib.TimingError, ValueError) as e:
        print(f"tables.py: error: {e}", file=sys.stderr)
        return 1
    print(argv[5])
    return 0

if __name__ == "__main__":
    sys.exit(main())
