"""The lines of a figure panel drawn from analyses of trained models (plot hessian,
interpolation or sharpness; workflow/experiment_registry/analyses.py): reads the outputs of its
localsgd-analyze jobs (results/<scale>/analysis/<command>/<variant>.*, one record per seed, the
same files for every figure that draws those runs), averages the seeds point by point, and
writes one JSON-lines file per line for `localsgd-analyze lines --x <x> --y mean`:

    python3 workflow/analysis_series.py CONFIGS SCALE TARGET RESULTS_DIR OUT_DIR

OUT_DIR/<i>.jsonl (i = 1, 2, ... in the order of lines()) holds records {<x>: ..., "mean": ...,
"std": ..., "seeds": n}, the sample standard deviation over the seeds (0 for one seed), and
OUT_DIR/lines.json the labels and source files. The lines of a panel:

    hessian, y = eigenvalue       per row: the i-th top eigenvalue (Lanczos, else power
                                  iteration), x = index (1 = the largest)
    hessian, y = density          per row: the spectral density; each seed's curve is resampled
                                  linearly onto one grid over all seeds' ranges (0 outside);
                                  on a log y axis the mean is drawn at least DENSITY_FLOOR
                                  (PyHessian's plots add 1e-7 for the same reason)
    hessian, y = top_eigenvalue   one line over the rows, x = the row's local_steps, workers or
           | trace                local_batch (the declaration's value), y its seeds' mean
    interpolation                 per field of y (train_loss, ...): its mean over the seed pairs
                                  at each alpha
    sharpness                     per row: the mean over directions (PREFIX.curve.jsonl) at each
                                  alpha, averaged over seeds
    suboptimality                 the convex runs' own records, the best LR of each cell
                                  (suboptimality_series.py); lines.json says what each chose
"""
from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import registry as registry_lib  # noqa: E402
import suboptimality_series  # noqa: E402
from claim_statistics import mean_std  # noqa: E402


# Smallest density a log-y panel draws: the Gaussian tails of stochastic Lanczos quadrature
# reach 1e-300, which would squash the spectrum into the top of the plot.
DENSITY_FLOOR = 1e-7


class SeriesError(ValueError):
    """An analysis output is missing, malformed or not of the runs the panel draws."""


def lines(reg, target) -> list:
    """(label, [(job, output suffix)]) per line of a figure target, in drawing order."""
    exp_id, panel = reg.panel(target)
    if not panel.analysis:
        raise SeriesError(f"{target}: plot {panel.plot} draws no analysis")
    if panel.plot == "suboptimality":   # no analysis job: the runs' records
        return [(label, []) for label in suboptimality_series.labels(reg, target)]
    jobs = reg.panel_jobs(target)
    if panel.plot == "interpolation":
        return [(f.replace("_", " "), [(jobs[0], ".jsonl")]) for f in panel.fields] if jobs else []
    suffix = {"eigenvalue": ".jsonl", "density": ".density.jsonl", "top_eigenvalue": ".jsonl",
              "trace": ".jsonl", "mean_train_loss": ".curve.jsonl",
              "mean_train_accuracy": ".curve.jsonl"}[panel.y]
    by_variant = {j.name: j for j in jobs}
    cells = reg.panel_cells(exp_id, panel)
    if not panel.per_row:
        return [(panel.label or "mean over seeds",
                 [(by_variant[v.name], suffix) for _, _, v in cells])] if cells else []
    return [(label, [(by_variant[v.name], suffix)]) for label, _, v in cells]


def x_field(panel) -> str:
    """The x field of the lines' records (the panel's x)."""
    return panel.x


def input_files(reg, target, results_dir) -> list:
    """Every analysis output a target's lines read."""
    if reg.panel(target)[1].plot == "suboptimality":
        return suboptimality_series.input_files(reg, target, results_dir)
    out = []
    for job in reg.panel_jobs(target):
        prefix = str(job.prefix(results_dir, reg.scale.name))
        out += [prefix + ext for ext in registry_lib.COMMAND_OUTPUTS[job.command]]
    return out


def _records(path) -> list:
    try:
        text = Path(path).read_text()
    except OSError as e:
        raise SeriesError(f"{path}: {e}") from e
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            raise SeriesError(f"{path}:{n}: not JSON: {e}") from e
        if not isinstance(r, dict):
            raise SeriesError(f"{path}:{n}: not a JSON object")
        out.append(r)
    if not out:
        raise SeriesError(f"{path}: no records")
    return out


def _number(r, key, path):
    v = r
    for k in key.split("."):
        v = v.get(k) if isinstance(v, dict) else None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise SeriesError(f"{path}: record of run {r.get('run', '?')}: {key} is not a finite "
                          f"number ({v!r})")
    return float(v)


def _by_run(records, job, reg, results_dir, path) -> dict:
    """run dir -> its records, checked against the runs the job analysed (every seed)."""
    key = "from_run" if job.command == "interpolate" else "run"
    want = {str(registry_lib.run_dir(results_dir, reg.scale.name, job.variants[0].name, s))
            for s in reg.scale.seeds}
    got = {}
    for r in records:
        got.setdefault(str(r.get(key)), []).append(r)
    if set(got) != want:
        raise SeriesError(f"{path}: records of runs {sorted(got)}, expected {sorted(want)} "
                          "(a stale output? delete it and rerun)")
    if path.endswith(".jsonl") and job.command == "hessian" and not path.endswith(
            ".density.jsonl") and any(len(rs) != 1 for rs in got.values()):
        raise SeriesError(f"{path}: more than one record of a run")
    return got


def _point_means(curves, x_key, y_key, path) -> list:
    """Mean over curves (one per seed) of y at each x they share, by x. A y the analyzer wrote
    as null (an infinite or NaN loss: the model diverges there) makes the mean infinite, so
    that x is left out of the line, and named on stderr: a result, not an error."""
    at, diverged = {}, set()
    for records in curves:
        for r in records:
            x = round(_number(r, x_key, path), 12)
            if r.get(y_key, 0) is None:
                diverged.add(x)
                continue
            at.setdefault(x, []).append(_number(r, y_key, path))
    if diverged:
        print(f"analysis_series.py: {path}: {y_key} is infinite or NaN at {x_key} = "
              f"{', '.join(f'{x:g}' for x in sorted(diverged))}; left out of the line",
              file=sys.stderr)
    return [(x, *mean_std(ys)) for x, ys in sorted(at.items()) if x not in diverged]


def _resampled_means(curves, path) -> list:
    """Density curves (eigenvalue, density) of several seeds on one grid, then their mean."""
    pts = []
    for records in curves:
        c = sorted((_number(r, "eigenvalue", path), _number(r, "density", path)) for r in records)
        pts.append(c)
    if len(pts) == 1:
        return [(x, y, 0.0, 1) for x, y in pts[0]]
    lo, hi = min(c[0][0] for c in pts), max(c[-1][0] for c in pts)
    n = max(len(c) for c in pts)
    grid = [lo + (hi - lo) * i / (n - 1) for i in range(n)] if hi > lo else [lo]
    return [(x, *mean_std([_interp(c, x) for c in pts])) for x in grid]


def _interp(curve, x) -> float:
    """Linear interpolation of a sorted [(x, y)] at x, 0 outside its range."""
    if x < curve[0][0] or x > curve[-1][0]:
        return 0.0
    lo, hi = 0, len(curve) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if curve[mid][0] <= x:
            lo = mid
        else:
            hi = mid
    (x0, y0), (x1, y1) = curve[lo], curve[hi]
    return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def _eigenvalues(r, path) -> list:
    for method in ("lanczos", "power"):
        vals = (r.get(method) or {}).get("eigenvalues")
        if vals:
            return [_number({"v": v, "run": r.get("run")}, "v", path) for v in vals]
    raise SeriesError(f"{path}: record of run {r.get('run', '?')} has no eigenvalues")


def compute(reg, target, results_dir) -> list:
    """(label, [(x, mean, std, seeds)]) per line of a figure target."""
    exp_id, panel = reg.panel(target)
    out = []
    field_of = {"top_eigenvalue": "top_eigenvalue", "trace": "trace.estimate"}
    cells = {v.name: spec for _, spec, v in reg.panel_cells(exp_id, panel)}
    for n, (label, sources) in enumerate(lines(reg, target)):
        points = []
        for job, ext in sources:
            path = str(job.prefix(results_dir, reg.scale.name)) + ext
            runs = _by_run(_records(path), job, reg, results_dir, path)
            if panel.plot == "interpolation":
                points = _point_means(runs.values(), "alpha", panel.fields[n], path)
            elif panel.plot == "sharpness":
                points = _point_means(runs.values(), "alpha", panel.y, path)
            elif panel.y == "eigenvalue":
                per_index = {}
                for records in runs.values():
                    for i, v in enumerate(_eigenvalues(records[0], path), 1):
                        per_index.setdefault(i, []).append(v)
                points = [(i, *mean_std(vs)) for i, vs in sorted(per_index.items())]
            elif panel.y == "density":
                points = _resampled_means(runs.values(), path)
                if "y" in panel.log:
                    points = [(x, max(m, DENSITY_FLOOR), sd, k) for x, m, sd, k in points]
            else:   # one point per row: the row's run key against its seeds' mean
                x = getattr(cells[job.name], panel.x)
                ys = [_number(records[0], field_of[panel.y], path) for records in runs.values()]
                points.append((x, *mean_std(ys)))
        out.append((label, sorted(points) if not panel.per_row else points))
    return out


def write(reg, target, results_dir, out_dir) -> list:
    """OUT_DIR/<i>.jsonl per line and OUT_DIR/lines.json; returns the files written."""
    _, panel = reg.panel(target)
    if panel.plot == "suboptimality":
        computed, chosen = suboptimality_series.compute(reg, target, results_dir)
    else:
        computed, chosen = compute(reg, target, results_dir), None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for i, (label, points) in enumerate(computed, 1):
        f = out_dir / f"{i}.jsonl"
        f.write_text("".join(json.dumps({x_field(panel): x, "mean": m, "std": s, "seeds": n})
                             + "\n" for x, m, s, n in points))
        files.append(f)
    if chosen is not None:   # the runs' records: what each cell chose among its LRs
        meta = [{"label": label, "file": f"{i}.jsonl", "target": reg.panel_target(target),
                 "cells": cells}
                for i, ((label, _), cells) in enumerate(zip(computed, chosen), 1)]
    else:
        meta = [{"label": label, "file": f"{i}.jsonl",
                 "sources": [str(j.prefix(results_dir, reg.scale.name)) + ext for j, ext in src]}
                for i, (label, src) in enumerate(lines(reg, target), 1)]
    (out_dir / "lines.json").write_text(json.dumps(meta, indent=1) + "\n")
    return files


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    configs, scale, target, results_dir, out_dir = argv
    try:
        reg = registry_lib.build(configs, scale)
        files = write(reg, target, results_dir, out_dir)
    except (registry_lib.RegistryError, SeriesError, suboptimality_series.SuboptimalityError,
            KeyError) as e:
        print(f"analysis_series.py: error: {e}", file=sys.stderr)
        return 1
    print(f"analysis_series.py: {target}: {len(files)} lines in {os.fspath(out_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
