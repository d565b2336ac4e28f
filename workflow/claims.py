"""The claims report of a scale, tables/<scale>/claims.{md,csv}: every claim of
configs/claims.toml (claim_declarations.py) tested on the scale's runs, with its effect, a
95 % confidence interval over seeds and a verdict (claim_statistics.py). Used by the
Snakefile's claims rule, and runnable by hand:

    python3 workflow/claims.py CONFIGS_DIR SCALE RUNS_DIR OUT.md OUT.csv

where RUNS_DIR (results/<scale>/runs) holds <variant>/seed<seed>/ for every run the claims
read, and RUNS_DIR/../analysis the localsgd-analyze outputs the flatness claims read
(<command>/<variant>.jsonl, one record per seed: the jobs of the figures that draw them). A
claim whose experiment or runs cannot be built at the scale is listed as not testable, with
why. Runs are read with tables.py's RunFiles and timing.py's RunTimes: a run's best accuracy is
the maximum test accuracy over its metrics.jsonl evaluations.
"""
from __future__ import annotations

import dataclasses
import math
import os
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import claim_statistics as stats_lib  # noqa: E402  (workflow/claim_statistics.py)
import claims_report  # noqa: E402  (workflow/claims_report.py)
import registry as registry_lib  # noqa: E402  (workflow/registry.py)
import suboptimality_series  # noqa: E402  (workflow/suboptimality_series.py)
import tables as tables_lib  # noqa: E402  (workflow/tables.py)
import timing as timing_lib  # noqa: E402  (workflow/timing.py)
from claim_declarations import FLATNESS_ANALYSIS, Cell, load_claims  # noqa: E402

CLAIMS_FILE = "claims.toml"   # in the configs directory


def load(configs_dir, experiments: dict) -> tuple:
    """The claims of CONFIGS_DIR/claims.toml, checked against the declarations."""
    return load_claims(Path(configs_dir) / CLAIMS_FILE, experiments)


@dataclass(frozen=True)
class Setup:
    """A claim at a scale: the runs of its two groups, or why it cannot be tested."""
    claim: object                 # Claim
    status: object = None         # the experiment's registry Status
    a: object = None              # RunVariant of group A
    b: object = None              # RunVariant of group B
    target_base: object = None    # time_to_accuracy: the runs whose accuracy sets the target
    why_not: str = ""             # non-empty: not testable at this scale
    grids: tuple = ()             # time_to_suboptimality: (A's, B's) runs, one per LR; a and
                                  # b are the chosen ones once evaluated (their first before)
    target: float | None = None   # time_to_suboptimality: the suboptimality to reach

    def variants(self) -> list:
        """Every run the claim reads: its groups' (every LR of a grid) and its target's."""
        if self.grids:
            return [v for grid in self.grids for v in grid]
        return [v for v in (self.a, self.b, self.target_base) if v is not None]


def setups(reg, claims) -> list:
    """A Setup per claim at the registry's scale, in file order."""
    return [_setup(reg, c) for c in claims]


def _setup(reg, c) -> Setup:
    st = reg.statuses[c.experiment]
    if st.state == "not-at-scale":
        return Setup(c, why_not=f"{c.experiment} is not among the experiments of "
                                f"configs/scales/{reg.scale.name}.toml")
    if st.state == "waiting":
        return Setup(c, why_not=f"{c.experiment} waits for: {', '.join(st.missing)}")
    cells = {(spec.row, spec.col): (v, missing) for spec, v, missing in st.cells}
    if c.metric == "time_to_suboptimality":
        return _grid_setup(reg, c, st)
    wanted = {"A": c.a, "B": c.b}
    if c.metric == "time_to_accuracy":
        wanted["the target's baseline"] = Cell(*st.experiment.baseline_cell(c.a.col))
    found, waiting = {}, {}   # missing capabilities -> the groups that wait for them
    for name, cell in wanted.items():
        if (cell.row, cell.col) not in cells:   # a [select] of the scale left it out
            return Setup(c, why_not=f"{name} ({cell.label()}) is not run at this scale "
                                    f"([select.{c.experiment}] of configs/scales/"
                                    f"{reg.scale.name}.toml)")
        found[name], missing = cells[(cell.row, cell.col)]
        if found[name] is None:
            waiting.setdefault(", ".join(missing), []).append(f"{name} ({cell.label()})")
    if waiting:
        return Setup(c, why_not="; ".join(
            f"{' and '.join(names)} wait{'s' * (len(names) == 1)} for: {missing}"
            for missing, names in waiting.items()))
    if c.kind == "flatness":   # the analysis job of a figure the scale draws must compute it
        jobs = {(j.command, j.name) for j in reg.analysis_jobs()}
        command = analysis_command(c)
        for name in ("A", "B"):
            if (command, found[name].name) not in jobs:
                return Setup(c, why_not=f"{name} ({getattr(c, name.lower()).label()}): no "
                                        f"figure of this scale runs its {command} analysis")
    return Setup(c, st, found["A"], found["B"], found.get("the target's baseline"))


def _grid_setup(reg, c, st) -> Setup:
    """A time_to_suboptimality claim: each group is every run (LR) of its row."""
    grids, waiting = [], []
    for name, cell in (("A", c.a), ("B", c.b)):
        row = [(v, m) for spec, v, m in st.cells if spec.row == cell.row]
        if not row:
            return Setup(c, why_not=f"{name} ({cell.label()}) is not run at this scale "
                                    f"([select.{c.experiment}] of configs/scales/"
                                    f"{reg.scale.name}.toml)")
        missing = next((m for v, m in row if v is None), None)
        if missing is not None:
            waiting.append(f"{name} ({cell.label()}) waits for: {', '.join(missing)}")
        grids.append(tuple(dict.fromkeys(v for v, _ in row if v is not None)))
    if waiting:
        return Setup(c, why_not="; ".join(waiting))
    return Setup(c, st, grids[0][0], grids[1][0], grids=tuple(grids),
                 target=reg.suboptimality_target(c.experiment))


def analysis_command(claim) -> str:
    """The localsgd-analyze subcommand whose outputs a flatness claim reads."""
    return registry_lib.ANALYSIS_COMMANDS[FLATNESS_ANALYSIS[claim.metric]]


def claim_runs(reg, claims) -> list:
    """(variant, seed) of every run the testable claims read, each once."""
    variants = {v.name: v for s in setups(reg, claims) for v in s.variants()}
    return [(v, seed) for v in variants.values() for seed in reg.scale.seeds]


def claim_analyses(reg, claims, results_dir) -> list:
    """The analysis outputs (PREFIX.jsonl) the testable flatness claims read, each once."""
    out = {}
    for s in setups(reg, claims):
        if not s.why_not and s.claim.kind == "flatness":
            for v in (s.a, s.b):
                prefix = registry_lib.analysis_prefix(results_dir, reg.scale.name,
                                                      analysis_command(s.claim), v.name)
                out[str(prefix) + ".jsonl"] = None
    return list(out)


def testable(reg, claims) -> bool:
    """Whether the scale's runs can test at least one claim."""
    return any(not s.why_not for s in setups(reg, claims))


# ------------------------------------------------------------------ one claim's numbers
# Kinds of metric whose effect is a ratio B / A of geometric means, with a log-scale interval.
RATIO_KINDS = ("time", "flatness")


@dataclass
class Group:
    """One group's values over its seeds: percent, seconds or curvatures, of the seeds that
    count."""
    values: list
    seeds: int
    diverged: list      # run directories
    unreached: list     # time_to_accuracy: run directories that never reached the target
    basis: str          # time: measured | modelled | mixed; flatness: how it was estimated
                        # (e.g. "Lanczos"); "" for accuracies

    def center(self, kind) -> float | None:
        """The mean (accuracy) or geometric mean (time, flatness) of the values; None without
        values, or with a value of at most 0 where a geometric mean is wanted."""
        if not self.values:
            return None
        if kind in RATIO_KINDS:
            if any(not x > 0 for x in self.values):
                return None
            return math.exp(statistics.fmean(math.log(x) for x in self.values))
        return statistics.fmean(self.values)


@dataclass
class Outcome:
    setup: Setup
    a: Group | None = None
    b: Group | None = None
    estimate: float | None = None            # A - B in points, or the speed-up B / A
    interval: stats_lib.Interval | None = None
    verdict: str = stats_lib.NOT_TESTABLE
    reason: str = ""


def group(claim, variant, files, target) -> Group:
    """The values of one group: diverged seeds left out and named; for time_to_accuracy the
    seeds that never reached `target` too."""
    if claim.kind == "flatness":
        return flatness_group(claim, variant, files)
    summaries = files.summaries(variant)
    diverged = [str(d) for d, x in summaries if x["status"] != "completed"]
    runs = files.times(variant)
    unreached = []
    if claim.metric == "best_test_accuracy":
        values = [100.0 * r.best_accuracy for r in runs]
    else:   # seconds: of the whole training, or to the target (None: never reached)
        times = [(r, r.total() if claim.metric == "training_seconds" else r.time_to(target))
                 for r in runs]
        for r, t in times:
            if t is not None and not t > 0:   # a speed-up is a ratio of positive times
                raise timing_lib.TimingError(f"{r.path / 'timing.jsonl'}: a time of {t} s; "
                                             "a speed-up needs positive times")
        values = [t for _, t in times if t is not None]
        unreached = [str(r.path) for r, t in times if t is None]
    bases = {r.basis for r in runs} if claim.kind == "time" else set()
    basis = bases.pop() if len(bases) == 1 else "mixed" if bases else ""
    return Group(values, len(summaries), diverged, unreached, basis)


def flatness_group(claim, variant, files) -> Group:
    """The curvatures of one group's completed seeds, from its analysis job's PREFIX.jsonl
    (one record per run, "run" naming its directory); diverged seeds left out and named."""
    runs_dir = files.runs_dir   # results/<scale>/runs
    path = Path(str(registry_lib.analysis_prefix(runs_dir.parent.parent, runs_dir.parent.name,
                                                 analysis_command(claim), variant.name))
                + ".jsonl")
    records = {os.path.abspath(str(r.get("run"))): (n, r)
               for n, r in timing_lib.json_lines(path) if isinstance(r, dict)}
    summaries = files.summaries(variant)
    diverged = [str(d) for d, x in summaries if x["status"] != "completed"]
    values, bases = [], set()
    for d, x in summaries:
        if x["status"] != "completed":
            continue
        if os.path.abspath(d) not in records:
            raise tables_lib.TableError(f"{path}: no record of run {d} (a stale output? "
                                        "delete it and rerun)")
        n, r = records[os.path.abspath(d)]
        value, basis = _curvature(claim.metric, r, f"{path}:{n}")
        values.append(value)
        bases.add(basis)
    return Group(values, len(summaries), diverged, [], " / ".join(sorted(bases)))


def _curvature(metric, record, where) -> tuple:
    """(value, how it was estimated) of one analysis record."""
    if metric == "top_eigenvalue":
        value = record.get("top_eigenvalue")
        basis = "Lanczos" if "lanczos" in record else "power iteration"
    elif metric == "hessian_trace":
        trace = record.get("trace")
        if not isinstance(trace, dict):
            raise tables_lib.TableError(f"{where}: no trace: the scale's [analysis.hessian] "
                                        "sets trace_probes = 0")
        value = trace.get("estimate")
        basis = f"{trace.get('method', 'hutchinson')}, {trace.get('products')} products"
    else:   # epsilon_sharpness: the first epsilon of the scale's [analysis.sharpness]
        found = record.get("epsilon_sharpness") or []
        if not found:
            raise tables_lib.TableError(f"{where}: no epsilon-sharpness: the scale's "
                                        "[analysis.sharpness] sets epsilon = []")
        value, basis = found[0].get("sharpness_percent"), f"ε = {found[0].get('epsilon'):g}"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise tables_lib.TableError(f"{where}: {metric} = {value!r} is not a finite number")
    return float(value), basis


def grid_group(setup, grid, files) -> tuple:
    """(chosen variant, Group) of a time_to_suboptimality group: the LR of `grid` whose seeds
    reach the target first (suboptimality_series.choose, as the figure draws it), its seeds'
    times to the target, the seeds that never reach it named."""
    results_dir, scale = files.runs_dir.parent.parent, files.runs_dir.parent.name
    chosen, _ = suboptimality_series.choose(grid, results_dir, scale, files.seeds,
                                            "time_seconds", setup.target)
    summaries = files.summaries(chosen.variant)
    diverged = [str(d) for d, x in summaries if x["status"] != "completed"]
    values = [t for t in chosen.times.values() if math.isfinite(t)]
    unreached = [str(registry_lib.run_dir(results_dir, scale, chosen.variant.name, s))
                 for s, t in chosen.times.items() if not math.isfinite(t)]
    ends = [chosen.curves[s][-1][0] for s, t in chosen.times.items() if not math.isfinite(t)]
    return chosen.variant, Group(values, len(summaries), diverged, unreached,
                                 f"modelled, LR {chosen.lr:g}"), ends


def _censored(out, c, b_ends, target) -> Outcome:
    """A speed-up claim whose B never reaches the target in any seed (at any LR) while A does
    in all: B's times exceed its runs' ends, so the speed-up computed with those ends is a
    lower bound. Reproduced when even that bound's interval clears the ratio; else
    inconclusive (B's true times are unknown)."""
    b = out.b
    bound = Outcome(out.setup, out.a, Group(b_ends, b.seeds, b.diverged, [], b.basis))
    _verdict(bound, c, "")
    out.estimate, out.interval = bound.estimate, bound.interval
    said = (f"B never reached suboptimality {target:g} in its runs ({len(b.unreached)} of "
            f"{b.seeds} seeds): its times are taken at its runs' end, so the effect and its "
            "interval are lower bounds")
    if bound.verdict == stats_lib.REPRODUCED:
        out.verdict, out.reason = stats_lib.REPRODUCED, said
    else:
        out.verdict, out.reason = stats_lib.INCONCLUSIVE, said + " that do not clear the ratio"
    return out


def evaluate(setup: Setup, files) -> Outcome:
    """The effect, interval and verdict of one testable claim."""
    c = setup.claim
    target = None
    if c.metric == "time_to_suboptimality":
        (va, a, _), (vb, b, b_ends) = (grid_group(setup, g, files) for g in setup.grids)
        out = Outcome(dataclasses.replace(setup, a=va, b=vb), a, b)
        if c.test == "ratio_at_least" and b.unreached and not b.values and b_ends \
                and not a.unreached:
            return _censored(out, c, b_ends, setup.target)
        return _verdict(out, c, f"suboptimality {setup.target:g}")
    if c.metric == "time_to_accuracy":
        target = tables_lib.TimeMetric(setup.status.experiment, setup.status.cells,
                                       files).target(c.a.col)
    a, b = group(c, setup.a, files, target), group(c, setup.b, files, target)
    out = Outcome(setup, a, b)
    if c.metric == "time_to_accuracy" and target is None:
        out.verdict, out.reason = stats_lib.INCONCLUSIVE, "no target: its baseline did not complete"
        return out
    return _verdict(out, c, f"{100 * target:.2f} %" if target is not None else "")


def _verdict(out, c, target_text) -> Outcome:
    """The estimate, interval and verdict of an Outcome whose groups are read."""
    a, b = out.a, out.b
    if c.kind == "flatness" and any(not x > 0 for x in a.values + b.values):
        out.verdict = stats_lib.INCONCLUSIVE
        out.reason = (f"a {c.metric} of at most 0 (A: {', '.join(f'{x:g}' for x in a.values)}; "
                      f"B: {', '.join(f'{x:g}' for x in b.values)}): a ratio needs positive values")
        return out
    if a.values and b.values:
        out.estimate = (b.center(c.kind) / a.center(c.kind) if c.kind in RATIO_KINDS
                        else a.center("accuracy") - b.center("accuracy"))
    unreached = [f"{name}: {len(g.unreached)} of {g.seeds} seeds never reached the target "
                 f"{target_text} (their times are unknown)"
                 for name, g in (("A", a), ("B", b)) if g.unreached]
    few = [f"{name}: {len(g.values)} completed seed{'s' * (len(g.values) != 1)}"
           for name, g in (("A", a), ("B", b))
           if not g.unreached and len(g.values) < stats_lib.MIN_SEEDS]
    if unreached or few:
        out.verdict = stats_lib.INCONCLUSIVE
        out.reason = "; ".join(unreached + few) + (
            f" (an interval needs {stats_lib.MIN_SEEDS} per group)" if few else "")
        return out
    if c.kind in RATIO_KINDS:
        out.interval = stats_lib.ratio(a.values, b.values)
    else:
        out.interval = stats_lib.welch_difference(a.values, b.values)
    out.verdict = stats_lib.verdict(c.test, out.interval.low, out.interval.high,
                                    margin=c.margin or 0.0, ratio=c.ratio or 1.0)
    return out


def evaluate_all(reg, claims, runs_dir) -> list:
    """An Outcome per claim (not testable ones with why), in file order."""
    files = tables_lib.RunFiles(runs_dir, reg.scale.seeds)
    return [evaluate(s, files) if not s.why_not else Outcome(s, reason=s.why_not)
            for s in setups(reg, claims)]


def write_claims(configs_dir, scale, runs_dir, md_path, csv_path):
    reg = registry_lib.build(configs_dir, scale)
    outcomes = evaluate_all(reg, load(configs_dir, reg.experiments), runs_dir)
    md, csv_text = claims_report.render(reg.scale, outcomes)
    tables_lib.write_atomic(md_path, md)
    tables_lib.write_atomic(csv_path, csv_text)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        print("usage: claims.py CONFIGS_DIR SCALE RUNS_DIR OUT.md OUT.csv", file=sys.stderr)
        return 2
    try:
        write_claims(*argv)
    except (registry_lib.RegistryError, tables_lib.TableError, timing_lib.TimingError,
            ValueError) as e:
        print(f"claims.py: error: {e}", file=sys.stderr)
        return 1
    print(argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main())
