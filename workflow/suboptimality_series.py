"""The lines of a plot = "suboptimality" panel (Figure 6, the convex problem) from the runs' own
records: metrics.jsonl's suboptimality f(x̄) − f* at each evaluation, timing.jsonl's time.

A cell is a row of the panel (y = suboptimality) or a (K, H) point (y = speedup); its runs
differ only in the LR (the declaration's lr_factor list). As the paper's grid search does, each
cell keeps the LR whose runs first reach the target (the panel's, or the scale's [targets]) soonest in x, as the mean over seeds;
an LR with a seed that never reaches it ranks after every LR whose seeds all do, and those that
never reach it rank by their mean final suboptimality (which also breaks ties). The choice uses the same seeds the panel
then draws (as a grid search on the reported runs does); lines.json lists every candidate's times.

    y = suboptimality   per row: the mean over seeds of the chosen LR's suboptimality at each x
    y = speedup         per H (local_steps): at each K, the mean over seeds of T(K = 1) / T(K, H),
                        T the time to target, seed paired with seed; the K = 1 cell (any H: one
                        worker never averages) is every line's baseline, its point 1
A point whose chosen runs never reach the target is left out of its line and named in lines.json
and on stderr: a result (that cell does not converge to the target in its epochs), not an error.
"""
from __future__ import annotations

import json
import math
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import registry as registry_lib  # noqa: E402
from claim_statistics import mean_std  # noqa: E402

INF = math.inf
TIMING_X = ("time_seconds", "wall_seconds", "modelled_seconds")   # x read from timing.jsonl


class SuboptimalityError(ValueError):
    """A run's records are missing, malformed or not of a convex run."""


def _jsonl(path: Path) -> list:
    try:
        text = path.read_text()
    except OSError as e:
        raise SuboptimalityError(f"{path}: {e}") from e
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise SuboptimalityError(f"{path}:{n}: not JSON: {e}") from e
    if not out:
        raise SuboptimalityError(f"{path}: no records")
    return out


def run_curve(run_dir, x: str) -> list:
    """[(x, suboptimality)] of one run at its evaluations; a diverged evaluation (null) is inf."""
    run_dir = Path(run_dir)
    metrics = _jsonl(run_dir / "metrics.jsonl")
    times = {r.get("step"): r for r in _jsonl(run_dir / "timing.jsonl")} if x in TIMING_X else {}
    curve = []
    for n, r in enumerate(metrics, 1):
        if "suboptimality" not in r:
            raise SuboptimalityError(f"{run_dir}/metrics.jsonl:{n}: no suboptimality (not a run of "
                                     "a convex task: model.arch = \"logistic-regression\")")
        source = times.get(r.get("step")) if x in TIMING_X else r
        if source is None or not isinstance(source.get(x), (int, float)):
            raise SuboptimalityError(f"{run_dir}: no {x} at step {r.get('step')}")
        s = r["suboptimality"]
        curve.append((float(source[x]), INF if s is None or not math.isfinite(s) else float(s)))
    return curve


def time_to_target(curve, target) -> float:
    """The first x at which the suboptimality is at most `target` (inf: never)."""
    return next((x for x, s in curve if s <= target), INF)


@dataclass
class Candidate:
    """One LR of a cell: its variant, and per seed the curve and time to target."""
    variant: object
    lr: float
    curves: dict        # seed -> [(x, suboptimality)]
    times: dict         # seed -> time to target (inf: never)

    def rank(self) -> tuple:
        reached = all(math.isfinite(t) for t in self.times.values())
        final = statistics.fmean(c[-1][1] for c in self.curves.values())   # inf if one diverged
        return (0, statistics.fmean(self.times.values()), final) if reached else (1, final, 0)

    def record(self) -> dict:
        return {"variant": self.variant.name, "lr": self.lr,
                "time_to_target": {str(s): (t if math.isfinite(t) else None)
                                   for s, t in self.times.items()}}


def _cells(reg, target) -> dict:
    """cell key -> [variant, ...] of the panel's runs, in declaration order (their columns are
    the LRs). y = suboptimality: the row's trained settings, "K:<K> B_loc:<B_loc> H:<H>" (the
    scale's batch factor applied; ':' for '=' as in every label); y = speedup: (K, H), and
    (1, 0) for K = 1."""
    exp_id, panel = reg.panel(target)
    cells = {}
    for _, spec, v in reg.panel_cells(exp_id, panel):
        if panel.y == "suboptimality":
            key = f"K:{v.workers} B_loc:{v.local_batch} H:{v.local_steps}"
        else:
            key = (1, 0) if spec.workers == 1 else (spec.workers, spec.local_steps)
        if all(v.name != w.name for w in cells.get(key, [])):
            cells.setdefault(key, []).append(v)
    return cells


def _lr(variant) -> float:
    return float(dict(variant.overrides)["optimizer.lr"])


def choose(variants, results_dir, scale, seeds, x, eps) -> tuple:
    """(chosen Candidate, all candidates) of one cell: its runs (one per LR) at `scale`, read
    from results_dir/<scale>/runs/<variant>/seed<seed>/."""
    cands = []
    for v in variants:
        curves = {s: run_curve(registry_lib.run_dir(results_dir, scale, v.name, s), x)
                  for s in seeds}
        cands.append(Candidate(v, _lr(v), curves, {s: time_to_target(c, eps)
                                                    for s, c in curves.items()}))
    return min(cands, key=Candidate.rank), cands


def input_files(reg, target, results_dir) -> list:
    """metrics.jsonl and timing.jsonl of every seed of every run the panel chooses among."""
    return [str(registry_lib.run_dir(results_dir, reg.scale.name, v.name, s) / f)
            for vs in _cells(reg, target).values() for v in vs for s in reg.scale.seeds
            for f in ("metrics.jsonl", "timing.jsonl")]


def labels(reg, target) -> list:
    """The labels of the panel's lines, in drawing order."""
    _, panel = reg.panel(target)
    cells = _cells(reg, target)
    if panel.y == "suboptimality":
        return list(cells)
    return [f"H:{h}" for h in sorted({h for k, h in cells if k > 1})]


def _cell_record(key, chosen, cands, reached=True) -> dict:
    lrs = sorted(c.lr for c in cands)
    edge = len(lrs) > 2 and chosen.lr in (lrs[0], lrs[-1])   # with two, one always is
    cell = key if isinstance(key, str) else (
        {"workers": 1} if key == (1, 0) else {"workers": key[0], "local_steps": key[1]})
    return {"cell": cell,
            "chosen": chosen.record(), "reached": reached,
            "at_grid_edge": edge, "candidates": [c.record() for c in cands]}


def compute(reg, target, results_dir) -> tuple:
    """([(label, [(x, mean, std, seeds)])] per line, [what each line chose, for lines.json])."""
    _, panel = reg.panel(target)
    eps, x = reg.panel_target(target), (panel.x if panel.y == "suboptimality" else "time_seconds")
    cells = _cells(reg, target)
    chosen = {k: choose(vs, results_dir, reg.scale.name, reg.scale.seeds, x, eps)
              for k, vs in cells.items()}
    for k, (c, cands) in chosen.items():
        if _cell_record(k, c, cands)["at_grid_edge"]:
            print(f"suboptimality_series.py: {target}: cell {k}: the best LR {c.lr:g} is at the "
                  "edge of its grid (lr_factor): a wider grid may find a better one", file=sys.stderr)
    if panel.y == "suboptimality":
        lines, meta = [], []
        for key, (c, cands) in chosen.items():
            at = {}
            for curve in c.curves.values():
                for xv, s in curve:
                    at.setdefault(round(xv, 9), []).append(s)
            pts = [(xv, *mean_std(ss)) for xv, ss in sorted(at.items())
                   if all(math.isfinite(s) for s in ss)]
            lines.append((key, pts))
            meta.append([_cell_record(key, c, cands, all(math.isfinite(t) for t in c.times.values()))])
        return lines, meta
    if (1, 0) not in chosen:
        raise SuboptimalityError(f"{target}: a speedup panel needs a run with workers = 1 among "
                                 "its rows (the baseline)")
    base, base_cands = chosen[(1, 0)]
    if not all(math.isfinite(t) for t in base.times.values()):
        raise SuboptimalityError(
            f"{target}: the K = 1 baseline ({base.variant.name}) never reaches suboptimality "
            f"{eps:g} at any LR of its grid in every seed (times {base.record()['time_to_target']}): "
            "train longer (the scale's models.<model>.epochs) or set a larger target")
    lines, meta = [], []
    for h in sorted({h for k, h in chosen if k > 1}):
        pts, records = [(1, 1.0, 0.0, len(base.times))], [_cell_record((1, 0), base, base_cands)]
        for k in sorted(w for w, hh in chosen if hh == h):
            c, cands = chosen[(k, h)]
            reached = all(math.isfinite(t) for t in c.times.values())
            records.append(_cell_record((k, h), c, cands, reached))
            if not reached:
                print(f"suboptimality_series.py: {target}: K = {k}, H = {h} never reaches "
                      f"{eps:g} at its best LR; left out of the line", file=sys.stderr)
                continue
            pts.append((k, *mean_std([base.times[s] / c.times[s] for s in c.times])))
        lines.append((f"H:{h}", pts))
        meta.append(records)
    return lines, meta
