"""Result tables of a grid: one row per variant, mean ± std over seeds.

Used by the Snakefile's table rule, and runnable by hand:

    python3 workflow/tables.py GRID.toml RUNS_DIR OUT.md OUT.csv

where RUNS_DIR holds <variant>/seed<seed>/summary.json for every run of the grid.

Accuracies are shown in percent. Mean and sample std (ddof=1) over the seeds that completed;
with one completed seed only the mean is shown. Diverged seeds are left out of the mean and
counted in the cell ("diverged" when all seeds diverged).
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import grid as grid_lib  # noqa: E402  (workflow/grid.py, next to this file)

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


@dataclass
class Row:
    variant: grid_lib.Variant
    seeds: int
    diverged: int
    best: Stat
    final: Stat


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


def make_row(variant, summaries: list) -> Row:
    """One table row from the summaries (dicts) of a variant's seeds."""
    if not summaries:
        raise TableError(f"variant {variant.name!r}: no runs")
    ok = [s for s in summaries if s["status"] == "completed"]
    diverged = len(summaries) - len(ok)
    n = len(summaries)

    def stat(key):
        return Stat(values=[100.0 * s[key] for s in ok], diverged=diverged, seeds=n)

    return Row(variant=variant, seeds=n, diverged=diverged,
               best=stat("best_test_accuracy"), final=stat("final_test_accuracy"))


def make_rows(grid: grid_lib.Grid, runs_dir) -> list:
    """Rows of `grid`, reading runs_dir/<variant>/seed<seed>/summary.json."""
    rows = []
    for v in grid.variants:
        summaries = [load_summary(Path(runs_dir) / v.name / f"seed{s}" / "summary.json")
                     for s in grid.seeds]
        rows.append(make_row(v, summaries))
    return rows


HEADER = ["Variant", "Algorithm", "K", "B_loc", "H", "Global batch", "Seeds",
          "Best test acc. (%)", "Final test acc. (%)"]


def _cells(row: Row) -> list:
    v = row.variant
    return [v.label, v.algorithm, str(v.workers), str(v.local_batch), str(v.local_steps),
            str(v.global_batch), str(row.seeds), row.best.cell(), row.final.cell()]


def format_markdown(rows: list, title: str | None = None) -> str:
    def line(cells):
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    out = []
    if title:
        out += [f"## {title}", ""]
    out.append(line(HEADER))
    out.append("|" + "|".join(["---", "---"] + ["---:"] * (len(HEADER) - 2)) + "|")
    out += [line(_cells(r)) for r in rows]
    out += ["", "Test accuracy in percent: mean ± sample standard deviation over the seeds that "
            "completed (the mean alone for a single seed); diverged seeds are excluded and "
            "counted. H is the number of local steps between synchronisations (1 for "
            "mini-batch SGD, which synchronises every step); global batch = K × B_loc.", ""]
    return "\n".join(out)


CSV_FIELDS = ["variant", "label", "algorithm", "K", "B_loc", "H", "global_batch", "seeds",
              "diverged", "best_test_acc_mean", "best_test_acc_std", "final_test_acc_mean",
              "final_test_acc_std"]


def format_csv(rows: list) -> str:
    def num(x):
        return "" if x is None else f"{x:.4f}"

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for r in rows:
        v = r.variant
        w.writerow([v.name, v.label, v.kind, v.workers, v.local_batch, v.local_steps,
                    v.global_batch, r.seeds, r.diverged, num(r.best.mean), num(r.best.std),
                    num(r.final.mean), num(r.final.std)])
    return buf.getvalue()


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


def write_tables(grid_path, runs_dir, md_path, csv_path) -> list:
    grid = grid_lib.load_grid(grid_path)
    rows = make_rows(grid, runs_dir)
    write_atomic(md_path, format_markdown(rows, grid.title))
    write_atomic(csv_path, format_csv(rows))
    return rows


# ------------------------------------------------------------------ registry experiments
def experiment_tables(configs_dir, scale, exp_id, runs_dir):
    """(markdown, csv, latex) of a declared table at a scale (configs/experiments/<id>.toml)."""
    import registry as reg_lib  # workflow/registry.py
    reg = reg_lib.build(configs_dir, scale)
    if exp_id not in reg.statuses or reg.statuses[exp_id].state not in ("ready", "partial"):
        raise TableError(f"{exp_id}: not buildable at scale {scale!r}")
    st = reg.statuses[exp_id]
    exp = st.experiment
    seeds = reg.scale.seeds
    paper = {(p.row, p.col): p for p in exp.paper_values}
    key = exp.metric
    rows, cols, cells, long = [], [], {}, []
    for spec, variant, missing in st.cells:
        rows.append(spec.row) if spec.row not in rows else None
        cols.append(spec.col) if spec.col not in cols else None
        pv = paper.get((spec.row, spec.col))
        ptxt = f"{pv.value} [{pv.tag}]" if pv else ""
        if variant is None:
            cells[(spec.row, spec.col)] = "waiting for: " + ", ".join(missing) + \
                (f"; paper {ptxt}" if ptxt else "")
            long.append([spec.row, spec.col, "", "", "", "", "", "", "", "", "",
                         pv.value if pv else "", pv.tag if pv else "", ", ".join(missing)])
            continue
        summaries = [load_summary(Path(runs_dir) / variant.name / f"seed{s}" / "summary.json")
                     for s in seeds]
        ok = [x for x in summaries if x["status"] == "completed"]
        stat = Stat(values=[100.0 * x[key] for x in ok], diverged=len(summaries) - len(ok),
                    seeds=len(summaries))
        text = stat.cell() + (f" (n={len(seeds)})" if len(seeds) > 1 else "")
        if ptxt:
            text += f"; paper {ptxt}"
        cells[(spec.row, spec.col)] = text
        num = (lambda x: "" if x is None else f"{x:.4f}")
        long.append([spec.row, spec.col, variant.name, variant.kind, variant.workers,
                     variant.local_batch, variant.local_steps,
                     variant.block_steps if variant.kind == "hierarchical" else "",
                     len(seeds), num(stat.mean), num(stat.std), pv.value if pv else "",
                     pv.tag if pv else "", ""])
    metric = "best" if key == "best_test_accuracy" else "final"
    header = [exp.row_header] + [c or "Result" for c in cols]
    md = [f"## {exp.id}: {exp.caption}", "", f"Scale `{scale}`: {reg.scale.description}.", ""]
    esc = (lambda c: c.replace("|", "\\|"))
    md.append("| " + " | ".join(esc(h) for h in header) + " |")
    md.append("|---|" + "---:|" * len(cols))
    for r in rows:
        md.append("| " + " | ".join([esc(r)] + [esc(cells.get((r, c), "—")) for c in cols]) + " |")
    md += ["", f"Cells: {metric} test accuracy in percent, mean ± sample std over n seeds "
           "(diverged seeds excluded and counted). \"paper\" is the paper's value with its "
           "confidence tag: [V] stated in the prose, [C] from the code, [I] inferred, "
           "[U] unverified (recalled)."]
    if st.state == "partial":
        md.append(f"Not built yet (waiting for: {', '.join(st.missing)}): those cells say so.")
    md += ["", f"Paper settings: {exp.paper}", ""]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["row", "col", "variant", "algorithm", "K", "B_loc", "H", "H_b", "seeds",
                f"{metric}_test_acc_mean", f"{metric}_test_acc_std", "paper_value",
                "paper_tag", "waiting_for"])
    w.writerows(long)
    tex_esc = (lambda c: c.replace("\\", "").replace("&", "\\&").replace("%", "\\%")
               .replace("_", "\\_").replace("#", "\\#").replace("±", "$\\pm$")
               .replace("·", "$\\cdot$").replace("^b", "$^b$"))
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
    if argv and argv[0] == "--experiment":
        # tables.py --experiment CONFIGS_DIR SCALE ID RUNS_DIR OUT.md OUT.csv OUT.tex
        if len(argv) != 8:
            print("usage: tables.py --experiment CONFIGS_DIR SCALE ID RUNS_DIR OUT.md OUT.csv "
                  "OUT.tex", file=sys.stderr)
            return 2
        try:
            write_experiment(*argv[1:])
        except (TableError, ValueError) as e:
            print(f"tables.py: error: {e}", file=sys.stderr)
            return 1
        print(argv[5])
        return 0
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        print("usage: tables.py GRID.toml RUNS_DIR OUT.md OUT.csv", file=sys.stderr)
        return 2
    try:
        write_tables(*argv)
    except (TableError, grid_lib.GridError) as e:
        print(f"tables.py: error: {e}", file=sys.stderr)
        return 1
    print(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
