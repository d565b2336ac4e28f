"""configs/claims.toml: the claims the paper states in its prose that the declared runs can
test, one [[claim]] table each, parsed and checked against the experiment declarations
(configs/experiments/) into Claim, one per tested column.

    [[claim]]
    id = "table3-postlocal-beats-large-batch"   # lower-case letters, digits, '-'; unique
    text = "Post-local SGD beats ..."          # the claim, short
    source = "Table 3"                         # where the paper states it
    experiment = "table3"                      # the declaration whose runs test it
    metric = "best_test_accuracy"              # METRICS (a flatness metric: the
                                               # declaration's `analyses` must compute it)
    a = { row = "Post-local SGD, H=16", col = "cifar10 resnet20" }   # the group the claim
                                               # favours: a cell (row and column labels) of
                                               # the declaration's runs; col "" if omitted
                                               # (time_to_suboptimality: a row, no col)
    b = { row = "Large batch (K·B = 2048)" }   # the group A is compared with
    cols = ["cifar10 resnet20", ...]           # instead of a.col and b.col: one test per column
    test = "greater"                           # TESTS
    margin = 0.5                               # at_least, within: percentage points
    margin_why = "..."                         # required with a margin: why this one
    ratio = 3.0                                # ratio_at_least: the speed-up A must reach
    note = "..."                               # optional: how the claim was read

Every problem is a ClaimError naming the file, the claim and the key.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from experiment_registry.common import RegistryError, is_num, load_toml

# Metric -> what it measures per run: "accuracy" (the best test accuracy over the run's
# evaluations, in percent; the effect is A - B in points), "time" (seconds; the effect is
# the speed-up of A over B, B's time / A's time) or "flatness" (a curvature of the run's saved
# model, from localsgd-analyze; the effect is how many times B's is A's, B / A).
METRICS = {
    "best_test_accuracy": "accuracy",
    "training_seconds": "time",     # the whole training, to its last evaluation
    "time_to_accuracy": "time",     # to the target of the declaration (a to-target table)
    "time_to_suboptimality": "time",   # to its figure's suboptimality target (Figure 6), each
                                       # group a row at the LR of its columns that gets there
                                       # first (the panel's grid search, suboptimality_series.py)
    "top_eigenvalue": "flatness",   # the largest Hessian eigenvalue of the training loss
    "hessian_trace": "flatness",    # the Hessian's trace (Hutchinson)
    "epsilon_sharpness": "flatness",   # Keskar et al.'s epsilon-sharpness, the scale's first
                                       # [analysis.sharpness] epsilon, in percent
}
# A flatness metric -> the analysis (a declaration's `analyses` entry) that computes it.
FLATNESS_ANALYSIS = {"top_eigenvalue": "hessian-spectrum", "hessian_trace": "hessian-spectrum",
                     "epsilon_sharpness": "sharpness"}
# Test -> the kind of metric it takes. The claim holds when the effect is:
#   greater         A - B > 0
#   at_least        A - B >= -margin      ("matches or beats")
#   within          |A - B| <= margin     ("no or negligible difference")
#   ratio_at_least  B / A >= ratio        (a speed-up of at least `ratio`)
#   lower           B / A > 1             (A's minima are flatter than B's)
TESTS = {"greater": "accuracy", "at_least": "accuracy", "within": "accuracy",
         "ratio_at_least": "time", "lower": "flatness"}
MARGIN_TESTS = ("at_least", "within")
CLAIM_KEYS = {"id", "text", "source", "experiment", "metric", "a", "b", "cols", "test",
              "margin", "margin_why", "ratio", "note"}
CELL_KEYS = {"row", "col"}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ClaimError(RegistryError):
    """configs/claims.toml is malformed; the message names the file, the claim and the key."""


@dataclass(frozen=True)
class Cell:
    """A group of runs: one cell (row and column labels) of a declaration's runs."""
    row: str
    col: str

    def label(self) -> str:
        return f"{self.row!r}" + (f" / {self.col!r}" if self.col else "")


@dataclass(frozen=True)
class Claim:
    """One test of a claim: group A against group B of one experiment, in one column."""
    id: str
    text: str
    source: str
    experiment: str
    metric: str
    test: str
    a: Cell
    b: Cell
    margin: float | None
    margin_why: str
    ratio: float | None
    note: str
    column: str = ""     # the `cols` entry this test is for ("" without cols)

    @property
    def label(self) -> str:
        return self.id + (f" [{self.column}]" if self.column else "")

    @property
    def kind(self) -> str:
        """accuracy | time | flatness (METRICS)."""
        return METRICS[self.metric]

    def threshold_text(self) -> str:
        """Where the effect must lie for the claim to hold, e.g. '> 0 points'."""
        if self.test == "greater":
            return "> 0 points"
        if self.test == "at_least":
            return f"≥ -{self.margin:g} points"
        if self.test == "within":
            return f"within ±{self.margin:g} points"
        if self.test == "lower":
            return "B / A > 1×"
        return f"≥ {self.ratio:g}×"


def load_claims(path, experiments: dict) -> tuple:
    """The claims of `path` (configs/claims.toml), checked against `experiments` (id ->
    Experiment, registry.load_experiments); one Claim per tested column, in file order."""
    path = Path(path)
    d = load_toml(path)
    unknown = sorted(set(d) - {"claim"})
    if unknown:
        raise ClaimError(f"{path}: unknown top-level keys {unknown}: the file holds [[claim]] "
                         "tables only")
    raw = d.get("claim")
    if not isinstance(raw, list) or not raw or not all(isinstance(c, dict) for c in raw):
        raise ClaimError(f"{path}: no [[claim]] tables")
    out, seen = [], set()
    for n, c in enumerate(raw, 1):
        claims = _load_claim(c, n, path, experiments)
        if claims[0].id in seen:
            raise ClaimError(f"{path}: claim {claims[0].id!r}: id: declared twice")
        seen.add(claims[0].id)
        out += claims
    return tuple(out)


def _did_you_mean(word, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _load_claim(c: dict, n: int, path, experiments) -> list:
    ident = c.get("id")
    where = f"claim {ident!r}" if isinstance(ident, str) else f"claim #{n}"

    def fail(key, msg):
        raise ClaimError(f"{path}: {where}: {key}: {msg}")

    for k in sorted(set(c) - CLAIM_KEYS):
        fail(k, f"unknown key{_did_you_mean(k, CLAIM_KEYS)}; keys are {sorted(CLAIM_KEYS)}")
    if not isinstance(ident, str) or not ID_RE.match(ident):
        fail("id", "required: lower-case letters, digits and '-'")
    for k in ("text", "source"):
        if not isinstance(c.get(k), str) or not c[k].strip():
            fail(k, "required: a non-empty string")
    exp_id = c.get("experiment")
    if not isinstance(exp_id, str) or exp_id not in experiments:
        fail("experiment", f"{exp_id!r} is not declared in configs/experiments/"
             f"{_did_you_mean(str(exp_id), experiments)}")
    exp = experiments[exp_id]
    metric, test = c.get("metric"), c.get("test")
    if metric not in METRICS:
        fail("metric", f"{metric!r} is not one of {list(METRICS)}")
    if test not in TESTS:
        fail("test", f"{test!r} is not one of {list(TESTS)}")
    if TESTS[test] != METRICS[metric]:
        takes = [t for t, kind in TESTS.items() if kind == METRICS[metric]]
        fail("test", f"{test!r} is not for metric {metric!r} (its tests: {takes})")
    margin, ratio = c.get("margin"), c.get("ratio")
    if test in MARGIN_TESTS:
        if not is_num(margin) or margin < 0:
            fail("margin", f"test {test!r} needs margin = a number >= 0 (percentage points)")
        if not isinstance(c.get("margin_why"), str) or not c["margin_why"].strip():
            fail("margin_why", "required with a margin: why this margin")
    else:
        for k in ("margin", "margin_why"):
            if k in c:
                fail(k, f"only for the tests {list(MARGIN_TESTS)}")
    if test == "ratio_at_least":
        if not is_num(ratio) or ratio <= 0:
            fail("ratio", "test 'ratio_at_least' needs ratio = a number > 0 (the speed-up)")
    elif "ratio" in c:
        fail("ratio", "only for the test 'ratio_at_least'")
    if metric == "time_to_accuracy" and (exp.phase != "to-target" or not exp.target_fraction):
        fail("metric", f"time_to_accuracy needs a target: {exp_id} declares none "
             "(target_fraction of a to-target time table)")
    if metric == "time_to_suboptimality" and not any(p.plot == "suboptimality" for p in exp.panels):
        fail("metric", f"time_to_suboptimality needs a target: {exp_id} has no plot = "
             "\"suboptimality\" panel")
    needed = FLATNESS_ANALYSIS.get(metric)
    if needed and needed not in exp.analyses:
        fail("metric", f"{metric} is computed by the analysis {needed!r}, which {exp_id} does "
             f"not declare (its analyses: {list(exp.analyses)})")
    if "note" in c and not isinstance(c["note"], str):
        fail("note", "a string")
    cols = c.get("cols")
    if cols is not None and (not isinstance(cols, list) or not cols
                             or not all(isinstance(x, str) and x for x in cols)
                             or len(set(cols)) != len(cols)):
        fail("cols", "a non-empty list of distinct column labels")
    groups = {}
    for g in ("a", "b"):
        cell = c.get(g)
        if not isinstance(cell, dict) or not isinstance(cell.get("row"), str) \
                or not isinstance(cell.get("col", ""), str) or set(cell) - CELL_KEYS:
            fail(g, 'required: { row = "...", col = "..." } (col optional)')
        if cols is not None and "col" in cell:
            fail(f"{g}.col", "not with cols (cols gives the column of both groups)")
        if metric == "time_to_suboptimality" and (cols is not None or "col" in cell):
            fail(f"{g}.col", "time_to_suboptimality compares rows: each at the best LR of its "
                 "columns")
        groups[g] = cell
    cells = [(r.row, r.col) for r in exp.runs]
    out = []
    for col in cols if cols is not None else [None]:
        a, b = (Cell(groups[g]["row"], col if col is not None else groups[g].get("col", ""))
                for g in ("a", "b"))
        for g, cell in (("a", a), ("b", b)):
            whole_row = metric == "time_to_suboptimality" and any(r == cell.row for r, _ in cells)
            if (cell.row, cell.col) not in cells and not whole_row:
                _no_such_cell(fail, g, cell, exp_id, cells, col is not None)
        if a == b:
            fail("b", f"the same cell as a ({a.label()})")
        if metric == "time_to_accuracy" and exp.baseline_cell(a.col) != exp.baseline_cell(b.col):
            fail("b", f"its target (the baseline of column {b.col!r}) is not A's (of column "
                 f"{a.col!r}): both must race to the same accuracy")
        out.append(Claim(id=ident, text=c["text"].strip(), source=c["source"].strip(),
                         experiment=exp_id, metric=metric, test=test, a=a, b=b,
                         margin=float(margin) if test in MARGIN_TESTS else None,
                         margin_why=c.get("margin_why", "").strip(),
                         ratio=float(ratio) if test == "ratio_at_least" else None,
                         note=c.get("note", "").strip(), column=col or ""))
    return out


def _no_such_cell(fail, g, cell, exp_id, cells, from_cols):
    """Fails naming what the declaration has: its rows, or the row's columns."""
    rows = list(dict.fromkeys(r for r, _ in cells))
    if cell.row not in rows:
        fail(f"{g}.row", f"no run of {exp_id} in row {cell.row!r}"
             f"{_did_you_mean(cell.row, rows)}; its rows: {rows}")
    row_cols = [c for r, c in cells if r == cell.row]
    key = "cols" if from_cols else f"{g}.col"
    fail(key, f"row {cell.row!r} of {exp_id} has no column {cell.col!r}"
         f"{_did_you_mean(cell.col, row_cols)}; its columns: {row_cols}")
