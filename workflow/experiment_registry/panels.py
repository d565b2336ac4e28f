"""The [[panels]] of a figure declaration: one drawing each, figures/<scale>/<id><suffix>.png,
by localsgd-analyze (curves and bars over training runs, lines over a [benchmark]'s records)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .common import RegistryError, req

PLOTS = ("curves", "bars", "lines")   # lines: fields of a [benchmark]'s records (figure 5)
CURVE_X = ("epoch", "wall_seconds", "modelled_seconds", "time_seconds", "sync_rounds", "samples")
CURVE_Y = ("test_accuracy", "train_loss", "test_loss", "train_accuracy")
PANEL_KEYS = {"suffix", "plot", "x", "y", "log", "title", "xlabel", "ylabel", "select"}


@dataclass(frozen=True)
class Panel:
    """One drawing of a figure: target figures/<scale>/<figure id><suffix>.png."""
    suffix: str          # "" (the figure's only drawing) or "a", "b", ...
    plot: str            # curves | bars
    x: str               # curves: one of CURVE_X
    y: str               # curves: test_accuracy | train_loss | test_loss | train_accuracy
    title: str
    xlabel: str
    ylabel: str
    select: str          # regular expression on a run's row ("" = every run)
    log: str = ""        # lines: "", "x", "y" or "xy", the axes on a log scale

    def selects(self, row: str) -> bool:
        return not self.select or re.search(self.select, row) is not None


def load_panels(d, path) -> tuple:
    """The [[panels]] of a declaration `d`, checked."""
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
        req(p.get("log", "") in ("", "x", "y", "xy") and (plot == "lines" or "log" not in p),
            path, f"{where}: log is x, y or xy, for plot lines")
        req((plot == "lines") == ("benchmark" in d), path,
            f"{where}: plot lines draws a [benchmark]'s records, and a [benchmark] figure only those")
        if plot == "curves":
            req(x in CURVE_X, path, f"{where}: x must be one of {CURVE_X}")
            req(y in CURVE_Y, path, f"{where}: y must be one of {CURVE_Y}")
        elif plot == "lines":
            req(all(isinstance(v, str) and re.match(r"^[a-z_]+$", v) for v in (p.get("x"), p.get("y"))),
                path, f"{where}: lines needs x and y, fields of the benchmark's records")
        else:
            req("x" not in p and "y" not in p, path, f"{where}: bars take no x/y "
                "(best test accuracy per run)")
        for k in ("title", "xlabel", "ylabel", "select"):
            req(isinstance(p.get(k, ""), str), path, f"{where}: {k} must be a string")
        try:
            re.compile(p.get("select", ""))
        except re.error as e:
            raise RegistryError(f"{path}: {where}: bad select regex: {e}") from e
        panels.append(Panel(suffix=suffix, plot=plot, x=x, y=y, title=p.get("title", ""),
                            xlabel=p.get("xlabel", ""), ylabel=p.get("ylabel", ""),
                            select=p.get("select", ""), log=p.get("log", "")))
    suffixes = [q.suffix for q in panels]
    req(len(set(suffixes)) == len(suffixes), path, "two panels share a suffix")
    req(len(panels) <= 1 or "" not in suffixes, path,
        "a figure with several panels names each with a suffix")
    return tuple(panels)
