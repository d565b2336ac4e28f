"""tables/<scale>/claims.md and claims.csv from the claims' Outcomes (workflow/claims.py): the
text of the report, its caption (how effects, intervals and verdicts are made) and its CSV.

The CSV keeps accuracies and times in separate columns: time-derived ones end in _s_mean or
_time_ratio, as the other tables' seconds columns do, so that tests comparing two runs of the
workflow can leave them out (tests/slurm_workflow_test.sh).
"""
from __future__ import annotations

import csv
import io

import claim_statistics as stats_lib
from tables import _seconds as seconds_text

CAPTION = (
    "Each claim the paper states in its prose (configs/claims.toml) tested on this scale's "
    "runs: group A, the runs the claim favours, against group B, both cells (row and column "
    "labels) of the named experiment's runs. Accuracy effects: A's mean best test accuracy "
    "(the maximum over a run's evaluations) minus B's, in percentage points, with a 95 % Welch "
    "t-interval over seeds (Welch-Satterthwaite degrees of freedom). Time effects: the "
    "speed-up B / A of the groups' geometric-mean times, with the exponentiated 95 % Welch "
    "interval of the difference of mean log times. Flatness effects (the top Hessian "
    "eigenvalue, trace or Keskar ε-sharpness of the training loss at each run's saved model, "
    "by localsgd-analyze with the scale's [analysis] settings): how many times B's "
    "geometric-mean curvature is A's, B / A, with the same log-scale interval; above 1 means "
    "A's minima are flatter. Verdict: reproduced if the whole interval "
    "lies on the claim's side of its threshold (\"Holds if\"), not reproduced if it lies wholly "
    "on the other side, inconclusive at this scale otherwise, and whenever a group has fewer "
    f"than {stats_lib.MIN_SEEDS} completed seeds. Diverged runs are left out of a group, "
    "counted and named. Each interval is for its own claim (no correction for the number of "
    "claims). Thresholds and margins are fixed in configs/claims.toml from the paper's "
    "wording, not from any result.")
TIME_NOTE = (
    "Times are those of the time tables: modelled for simulated runs (one worker's compute, "
    "calibrated when the scale sets comm.compute_step_seconds and comm.compute_sample_seconds, "
    "else the measured share, plus the [comm] cost model), measured for MPI runs; each time "
    "effect names its basis. A modelled speed-up from less communication can only be as large "
    "as the cost model's communication share of a step.")
CSV_HEADER = [
    "claim", "column", "text", "source", "experiment", "metric", "test", "threshold",
    "a_row", "a_col", "a_variant", "a_seeds", "a_completed", "a_diverged",
    "b_row", "b_col", "b_variant", "b_seeds", "b_completed", "b_diverged",
    "a_best_pct_mean", "b_best_pct_mean", "diff_points", "diff_ci_low", "diff_ci_high",
    "diff_df", "diff_t",
    "a_time_s_mean", "b_time_s_mean", "speedup_time_ratio", "ci_low_time_ratio",
    "ci_high_time_ratio", "df_time_ratio", "t_time_ratio", "time_basis",
    "a_curvature_mean", "b_curvature_mean", "flatness_ratio", "flatness_ci_low",
    "flatness_ci_high", "flatness_df", "flatness_t", "curvature_basis",
    "verdict", "reason"]


def _num(x, digits=4) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def effect_text(o) -> str:
    """'+1.50 points [-0.41, +3.41]', '3.41× [2.90×, 4.01×] (modelled)', or the estimate
    alone: '+1.50 points (no interval)'."""
    if o.estimate is None:
        return "—"
    said = []   # what the parenthesis after the numbers says
    if o.setup.claim.kind in ("time", "flatness"):
        fmt, unit = (lambda x: f"{x:.2f}×"), ""  # noqa: E731
        bases = dict.fromkeys((o.a.basis, o.b.basis))
        basis = " / ".join(bases)
    else:
        fmt, unit, basis = (lambda x: f"{x:+.2f}"), " points", ""  # noqa: E731
    text = fmt(o.estimate) + unit
    i = o.interval
    if i is None:
        said.append("no interval")
    else:
        text += f" [{fmt(i.low)}, {fmt(i.high)}]"
        if i.df is None:
            said.append("no spread")
    said += [basis] if basis else []
    return text + (f" ({'; '.join(said)})" if said else "")


def _center_text(o, g) -> str:
    value = g.center(o.setup.claim.kind)
    if value is None:
        return "—"
    if o.setup.claim.kind == "flatness":
        return f"{value:.4g}" + (" %" if o.setup.claim.metric == "epsilon_sharpness" else "")
    return f"{seconds_text(value)} s" if o.setup.claim.kind == "time" else f"{value:.2f} %"


def _notes(outcomes) -> list:
    """One line per tested claim that has something to say: how it was read, its margin's
    reason, runs shared with an earlier claim, diverged or unreached runs by name."""
    lines, first, explained = [], {}, set()
    for o in outcomes:
        c, s = o.setup.claim, o.setup
        said = []
        if c.id not in explained:   # a claim tested in several columns: once
            explained.add(c.id)
            if c.note:
                said.append(c.note)
            if c.margin_why:
                said.append(f"margin {c.margin:g} points: {c.margin_why}")
        key = (c.id, s.a.name, s.b.name)   # two columns the scale maps onto the same runs
        if key in first:
            said.append(f"the same runs as {first[key]} at this scale")
        first.setdefault(key, c.label)
        for name, g in (("A", o.a), ("B", o.b)):
            if g.diverged:
                said.append(f"{name}: {len(g.diverged)} of {g.seeds} diverged: "
                            + ", ".join(g.diverged))
            if g.unreached:
                said.append(f"{name}: never reached the target: " + ", ".join(g.unreached))
        if said:
            lines.append(f"- {c.label}: " + "; ".join(said) + ".")
    return lines


def render(scale, outcomes) -> tuple:
    """(markdown, csv) of the claims report of `scale` (a registry Scale)."""
    tested = [o for o in outcomes if not o.setup.why_not]
    untested = [o for o in outcomes if o.setup.why_not]
    md = [f"## Claims of the paper tested at scale `{scale.name}`", "",
          f"Scale `{scale.name}`: {scale.description}; seeds {', '.join(map(str, scale.seeds))}.",
          "", CAPTION, ""]
    esc = (lambda x: x.replace("|", "\\|"))  # noqa: E731
    if tested:
        md += ["| Claim | Paper | Runs: A vs B | Completed seeds A, B | A | B | "
               "Effect [95 % CI] | Holds if | Verdict |",
               "|---|---|---|---:|---:|---:|---:|---|---|"]
        for o in tested:
            c = o.setup.claim
            cells = [f"{c.label}: {c.text}", c.source,
                     f"{c.experiment}: A {c.a.label()} vs B {c.b.label()}",
                     f"{len(o.a.values)} of {o.a.seeds}, {len(o.b.values)} of {o.b.seeds}",
                     _center_text(o, o.a), _center_text(o, o.b), effect_text(o),
                     c.threshold_text(), o.verdict + (f" ({o.reason})" if o.reason else "")]
            md.append("| " + " | ".join(esc(x) for x in cells) + " |")
        md.append("")
        if any(o.setup.claim.kind == "time" for o in tested):
            md += [TIME_NOTE, ""]
        notes = _notes(tested)
        if notes:
            md += ["Notes:", ""] + notes + [""]
    else:
        md += ["No claim can be tested at this scale.", ""]
    if untested:
        md += ["### Not testable at this scale", ""]
        md += [f"- {o.setup.claim.label} ({o.setup.claim.source}): {o.setup.claim.text}. "
               f"Why: {o.reason}." for o in untested]
        md.append("")
    counts = {v: sum(o.verdict == v for o in outcomes)
              for v in (*stats_lib.VERDICTS, stats_lib.NOT_TESTABLE)}
    md.append("Summary: " + ", ".join(f"{n} {v}" for v, n in counts.items()) + ".")
    md.append("")
    return "\n".join(md), _csv(outcomes)


def _csv(outcomes) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for o in outcomes:
        c, s = o.setup.claim, o.setup
        row = [c.id, c.column, c.text, c.source, c.experiment, c.metric, c.test,
               c.threshold_text()]
        for g, variant, cell in ((o.a, s.a, c.a), (o.b, s.b, c.b)):
            row += [cell.row, cell.col, variant.name if variant else "",
                    g.seeds if g else "", len(g.values) if g else "",
                    len(g.diverged) if g else ""]
        acc, time, flat = [""] * 7, [""] * 8, [""] * 8
        i = o.interval
        if o.a is not None:
            numbers = [_num(o.a.center(c.kind)), _num(o.b.center(c.kind)), _num(o.estimate),
                       _num(i and i.low), _num(i and i.high), _num(i and i.df), _num(i and i.t, 6)]
            basis = [o.a.basis if o.a.basis == o.b.basis else "mixed"]
            if c.kind == "accuracy":
                acc = numbers
            elif c.kind == "time":
                time = numbers + basis
            else:
                flat = numbers + basis
        w.writerow(row + acc + time + flat + [o.verdict, o.reason])
    return buf.getvalue()
