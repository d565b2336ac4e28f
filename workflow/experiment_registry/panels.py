"""The [[panels]] of a figure declaration: one drawing each, figures/<scale>/<id><suffix>.png,
by localsgd-analyze (curves and bars over training runs, lines over a [benchmark]'s records or
over the mean over seeds of an analysis of the runs' models: hessian, interpolation, sharpness;
see analyses.py).

Analysis panels (y, and x where it has a choice):

    plot = "hessian"          # the declaration's analyses has "hessian-spectrum"
    y = "eigenvalue"          # top eigenvalues by index (x = "index"), one line per row
      | "density"             # spectral density (x = "eigenvalue"), one line per row
      | "top_eigenvalue" | "trace"   # one line over the rows, x a run key: local_steps (H),
                              # workers (K) or local_batch; `label` names the line
    plot = "interpolation"    # "interpolation"; from = "<row>", to = "<row>": the two ends
    y = ["train_loss", "test_loss"]   # one line each (x = "alpha"); also *_accuracy
    plot = "sharpness"        # "sharpness"
    y = "mean_train_loss" | "mean_train_accuracy"   # over filter-normalised directions,
                              # x = "alpha", one line per row
    plot = "suboptimality"    # "suboptimality": the convex runs' f(x) - f* (Figure 6), each
    target = 0.005            # cell (row) at the LR of its runs (lr_factor) that first reaches
                              # the target (suboptimality_series.py); required
    y = "suboptimality"       # against x = "time_seconds" (modelled time: Figure 6's units),
                              # "epoch", "samples" or "sync_rounds", one line per row
      | "speedup"             # x = "workers": time to target of the K = 1 cell over that of
                              # each K, one line per H (local_steps)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .analyses import PLOT_ANALYSIS
from .common import RegistryError, is_num, req

# lines: fields of a [benchmark]'s records (figure 5); hessian, interpolation, sharpness: an
# analysis of the runs' saved models (analyses.py); suboptimality: the convex runs' records.
PLOTS = ("curves", "bars", "lines", "hessian", "interpolation", "sharpness", "suboptimality")
CURVE_X = ("epoch", "step", "wall_seconds", "modelled_seconds", "time_seconds", "sync_rounds",
           "samples")
CURVE_Y = ("test_accuracy", "train_loss", "test_loss", "train_accuracy")
# x of a plot with one point per row: a numeric key of the row's runs (RunSpec).
RUN_X = ("local_steps", "workers", "local_batch")
# bars drawn as lines over x, one per algorithm (Figures 2 and 3): a run key, or the samples a
# worker computes between two averages (H x B_loc; a mini-batch run's B_loc), as the run trains.
BARS_X = RUN_X + ("samples_per_round",)
ALGORITHM_NAMES = {"minibatch": "mini-batch SGD", "local": "local SGD",
                   "postlocal": "post-local SGD", "hierarchical": "hierarchical local SGD",
                   "local-warmup": "local SGD, H warm-up", "slowmo": "local SGD + SlowMo"}
INTERPOLATION_Y = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
# Analysis plot -> y -> the x it may take (the first is the default).
ANALYSIS_AXES = {
    "hessian": {"eigenvalue": ("index",), "density": ("eigenvalue",),
                "top_eigenvalue": RUN_X, "trace": RUN_X},
    "interpolation": {y: ("alpha",) for y in INTERPOLATION_Y},
    "sharpness": {"mean_train_loss": ("alpha",), "mean_train_accuracy": ("alpha",)},
    "suboptimality": {"suboptimality": ("time_seconds", "epoch", "samples", "sync_rounds"),
                      "speedup": ("workers",)},
}
ANALYSIS_DEFAULT_Y = {"hessian": "eigenvalue", "interpolation": ["train_loss", "test_loss"],
                      "sharpness": "mean_train_loss", "suboptimality": "suboptimality"}
PANEL_KEYS = {"suffix", "plot", "x", "y", "log", "title", "xlabel", "ylabel", "select", "from",
              "to", "label", "target"}


@dataclass(frozen=True)
class Panel:
    """One drawing of a figure: target figures/<scale>/<figure id><suffix>.png."""
    suffix: str          # "" (the figure's only drawing) or "a", "b", ...
    plot: str            # curves | bars
    x: str               # curves: one of CURVE_X; bars: "" (bars) or one of BARS_X (lines)
    y: str               # curves: test_accuracy | train_loss | test_loss | train_accuracy
    title: str
    xlabel: str
    ylabel: str
    select: str          # regular expression on a run's row ("" = every run)
    log: str = ""        # lines and analysis plots: "", "x", "y" or "xy", the log axes
    fields: tuple = ()   # interpolation: the y fields, one line each (y is them joined)
    ends: tuple = ()     # interpolation: (from row, to row)
    label: str = ""      # hessian over a run key (x in RUN_X): the one line's label
    target: float = 0.0  # suboptimality: the f(x) - f* each cell's LR is chosen to reach first

    def point_label(self, variant) -> str:
        """A bars-over-x panel's label of a run: LINE@X, the algorithm's line at the run's x
        (its trained settings, not the declared ones)."""
        x = {"local_steps": variant.local_steps if variant.takes("algorithm.local_steps") else 1,
             "workers": variant.workers, "local_batch": variant.local_batch}
        x["samples_per_round"] = x["local_steps"] * variant.local_batch
        return f"{ALGORITHM_NAMES.get(variant.kind, variant.kind)}@{x[self.x]}"

    def selects(self, row: str) -> bool:
        if self.ends:
            return row in self.ends
        return not self.select or re.search(self.select, row) is not None

    @property
    def analysis(self) -> str:
        """The analysis it draws (analyses.py), "" for curves, bars and lines."""
        return PLOT_ANALYSIS.get(self.plot, "")

    @property
    def per_row(self) -> bool:
        """Whether it draws one line per row (else: one line over the rows, or per field)."""
        return self.plot != "interpolation" and self.x not in RUN_X


def load_panels(d, path, rows=()) -> tuple:
    """The [[panels]] of a declaration `d`, checked; `rows`: the row of each of its runs."""
    raw = d.get("panels", [])
    req(isinstance(raw, list), path, "[[panels]] must be an array of tables")
    req(not raw or d.get("kind") == "figure", path, "only figures have [[panels]]")
    panels = []
    for i, p in enumerate(raw):
        where = f"panels #{i + 1}"
        req(isinstance(p, dict), path, f"{where} must be a table")
        unknown = sorted(set(p) - PANEL_KEYS)
        req(not unknown, path, f"{where}: unknown keys {unknown}")
        suffix = p.get("suffix", "")
        req(isinstance(suffix, str) and re.match(r"^[a-z]?$", suffix), path,
            f"{where}: suffix is one lower-case letter or empty")
        plot = p.get("plot")
        req(plot in PLOTS, path, f"{where}: plot must be one of {PLOTS}")
        x, y = p.get("x", "epoch"), p.get("y", "test_accuracy")
        req(p.get("log", "") in ("", "x", "y", "xy")
            and (plot == "lines" or plot in ANALYSIS_AXES or "log" not in p
                 or (plot == "bars" and "x" in p and p["log"] == "x")),
            path, f"{where}: log is x, y or xy, for plot lines and the analysis plots (x for "
            "bars over an x)")
        req((plot == "lines") == ("benchmark" in d), path,
            f"{where}: plot lines draws a [benchmark]'s records, and a [benchmark] figure only those")
        fields, ends = (), ()
        for k in ("from", "to", "label"):
            req(isinstance(p.get(k, ""), str), path, f"{where}: {k} must be a string")
        req(plot == "interpolation" or ("from" not in p and "to" not in p), path,
            f"{where}: from and to are for plot interpolation")
        if plot in ANALYSIS_AXES:
            x, y, fields, ends = _analysis_axes(p, d, path, where, rows)
        elif plot == "curves":
            req(x in CURVE_X, path, f"{where}: x must be one of {CURVE_X}")
            req(y in CURVE_Y, path, f"{where}: y must be one of {CURVE_Y}")
        elif plot == "lines":
            req(all(isinstance(v, str) and re.match(r"^[a-z_]+$", v) for v in (p.get("x"), p.get("y"))),
                path, f"{where}: lines needs x and y, fields of the benchmark's records")
        else:
            req("y" not in p, path, f"{where}: bars take no y (best test accuracy per run)")
            req("x" not in p or x in BARS_X, path, f"{where}: x of plot bars (lines over x, one "
                f"per algorithm) must be one of {BARS_X}")
            x = p.get("x", "")
        req("label" not in p or (plot == "hessian" and x in RUN_X), path,
            f"{where}: label names the one line of a plot hessian over {', '.join(RUN_X)}")
        target = p.get("target", 0.0)
        req((plot == "suboptimality") == ("target" in p) and is_num(target) and target >= 0,
            path, f"{where}: target (a suboptimality > 0) is required for plot suboptimality, "
            "and only there")
        req(plot != "suboptimality" or target > 0, path, f"{where}: target must be > 0")
        for k in ("title", "xlabel", "ylabel", "select"):
            req(isinstance(p.get(k, ""), str), path, f"{where}: {k} must be a string")
        try:
            re.compile(p.get("select", ""))
        except re.error as e:
            raise RegistryError(f"{path}: {where}: bad select regex: {e}") from e
        panels.append(Panel(suffix=suffix, plot=plot, x=x, y=y, title=p.get("title", ""),
                            xlabel=p.get("xlabel", ""), ylabel=p.get("ylabel", ""),
                            select=p.get("select", ""), log=p.get("log", ""), fields=fields,
                            ends=ends, label=p.get("label", ""), target=float(target)))
    suffixes = [q.suffix for q in panels]
    req(len(set(suffixes)) == len(suffixes), path, "two panels share a suffix")
    req(len(panels) <= 1 or "" not in suffixes, path,
        "a figure with several panels names each with a suffix")
    return tuple(panels)


def _analysis_axes(p, d, path, where, rows) -> tuple:
    """(x, y, fields, ends) of a hessian, interpolation or sharpness panel, checked."""
    plot = p["plot"]
    analysis = PLOT_ANALYSIS[plot]
    req(analysis in d.get("analyses", []), path,
        f"{where}: plot {plot} draws the analysis {analysis!r}, which `analyses` must name")
    axes = ANALYSIS_AXES[plot]
    y = p.get("y", ANALYSIS_DEFAULT_Y[plot])
    fields, ends = (), ()
    if plot == "interpolation":
        ys = [y] if isinstance(y, str) else y
        req(isinstance(ys, list) and ys and all(f in axes for f in ys)
            and len(set(ys)) == len(ys), path,
            f"{where}: y of plot interpolation is one or a list of {INTERPOLATION_Y}")
        fields, y = tuple(ys), ", ".join(ys)
        req("select" not in p, path, f"{where}: plot interpolation takes from and to, not select")
        for k in ("from", "to"):
            n = list(rows).count(p.get(k))
            req(isinstance(p.get(k), str) and n == 1, path,
                f"{where}: {k} must name the row of one run of the declaration (rows: "
                f"{sorted(set(rows))}), got {p.get(k)!r}" + (f" ({n} runs)" if n > 1 else ""))
        req(p["from"] != p["to"], path, f"{where}: from and to must be two rows")
        ends = (p["from"], p["to"])
    else:
        req(isinstance(y, str) and y in axes, path,
            f"{where}: y of plot {plot} must be one of {tuple(axes)}")
    choices = axes[fields[0] if fields else y]
    x = p.get("x", choices[0] if choices is not RUN_X else None)
    req(x in choices, path, f"{where}: x of plot {plot} with y = {y} must be one of {choices}"
        + (" (a run key: one point per row)" if choices is RUN_X else ""))
    return x, y, fields, ends
