"""The statistics of the claims report (workflow/claims.py): a 95 % confidence interval over
seeds for the effect of a claim, and the verdict the interval gives.

Accuracies: the difference of means A - B with a Welch t-interval, whose degrees of freedom are
Welch-Satterthwaite's (the groups' variances need not be equal, and their seeds may differ in
number after divergences):

    se^2 = s_a^2 / n_a + s_b^2 / n_b
    df   = se^4 / ((s_a^2 / n_a)^2 / (n_a - 1) + (s_b^2 / n_b)^2 / (n_b - 1))
    CI   = (mean_a - mean_b) +- t(0.975, df) * se

Times: the speed-up of A over B is B's time / A's time, and times are positive and skewed,
so the interval is the Welch interval of mean(log t_b) - mean(log t_a), exponentiated: an
interval for the ratio of the groups' geometric mean times. Flatness (a top Hessian
eigenvalue, a trace, an epsilon-sharpness: positive, and compared as "how many times
sharper") takes the same ratio interval, B / A. Deterministic: no resampling.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from scipy import stats

LEVEL = 0.95
MIN_SEEDS = 2   # completed seeds per group below which no interval is drawn: inconclusive
VERDICTS = ("reproduced", "not reproduced", "inconclusive at this scale")
REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE = VERDICTS
NOT_TESTABLE = "not testable at this scale"   # the scale cannot build the claim's runs


def mean_std(values) -> tuple:
    """(mean, sample standard deviation, n) of a figure's point over seeds; std 0 for one value."""
    n = len(values)
    m = statistics.fmean(values)
    return m, (statistics.stdev(values) if n > 1 else 0.0), n


@dataclass(frozen=True)
class Interval:
    """An effect with its confidence interval."""
    estimate: float
    low: float
    high: float
    df: float | None   # Welch-Satterthwaite; None when neither group varies (se = 0)
    t: float | None    # the t quantile used; None with df


def welch_difference(a, b, level=LEVEL) -> Interval:
    """mean(a) - mean(b) with its Welch t-interval; a and b need 2 values or more each."""
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"a Welch interval needs 2 values per group (got {len(a)} and {len(b)})")
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    diff = statistics.fmean(a) - statistics.fmean(b)
    se = math.sqrt(va + vb)
    if se == 0.0:   # every seed gave the same value in both groups: no spread to widen by
        return Interval(diff, diff, diff, None, None)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    t = float(stats.t.ppf(0.5 + level / 2, df))
    return Interval(diff, diff - t * se, diff + t * se, df, t)


def ratio(a, b, level=LEVEL) -> Interval:
    """B / A of the groups' geometric means (a speed-up when they are times) with the
    exponentiated Welch interval of the difference of mean logs; every value must be > 0."""
    if any(not (x > 0) for x in (*a, *b)):
        raise ValueError("a ratio needs positive values")
    d = welch_difference([math.log(x) for x in b], [math.log(x) for x in a], level)
    return Interval(math.exp(d.estimate), math.exp(d.low), math.exp(d.high), d.df, d.t)


def verdict(test: str, low: float, high: float, margin: float = 0.0, ratio: float = 1.0) -> str:
    """reproduced if the whole interval [low, high] lies on the claim's side of its threshold,
    not reproduced if it lies wholly on the other side, inconclusive otherwise. The claim's
    side (claim_declarations.TESTS): greater > 0, at_least >= -margin, within [-margin,
    +margin], ratio_at_least >= ratio, lower > 1 (a ratio B / A)."""
    if test == "greater":
        holds, fails = low > 0, high <= 0
    elif test == "at_least":
        holds, fails = low >= -margin, high < -margin
    elif test == "within":
        holds, fails = -margin <= low and high <= margin, high < -margin or low > margin
    elif test == "ratio_at_least":
        holds, fails = low >= ratio, high < ratio
    elif test == "lower":
        holds, fails = low > 1, high <= 1
    else:
        raise ValueError(f"unknown test {test!r}")
    return REPRODUCED if holds else NOT_REPRODUCED if fails else INCONCLUSIVE
