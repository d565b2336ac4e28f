"""Experiment registry: which runs every table and figure of the paper needs, per scale.

    configs/experiments/<id>.toml   one declaration per table/figure, in scale-free terms
    configs/scales/<scale>.toml     how a scale maps declarations onto trainer configs

A declaration (see configs/experiments/table3.toml for a commented one):

    id = "table3"                  # = file name
    kind = "table"                 # table | figure
    caption = "..."
    paper = "..."                  # the paper's settings, free text
    needs = ["localsgd-analyze"]   # capabilities beyond the runs' algorithm/model/dataset
    analyses = ["hessian"]         # analyses of localsgd-analyze it needs (documentation)
    row_header = "Method"          # tables: heading of the row-label column
    metric = "best_test_accuracy"  # best_test_accuracy | final_test_accuracy | time_to_accuracy
                                   # | speedup (see tables.py)
    baseline = { row = "K=1", col = "H=1" }  # time metrics: the cell times compare to; without
                                   # col, the baseline row in the cell's own column
    target_fraction = 0.95         # target accuracy = this x the baseline's mean best accuracy
    phase = "to-target"            # speedup over: to-target | whole (training) | post-local

    [[runs]]                       # a block of runs: the product over every list-valued key
    row = "Post-local SGD, H={local_steps}"   # str.format over the run's keys
    col = "{dataset} {model}"
    algorithm = "postlocal"        # minibatch | local | postlocal | hierarchical | <unbuilt>
    workers = 16                   # K
    local_batch = 128              # B_loc at the paper's scale (a scale may shrink it)
    local_steps = [16, 32]         # H
    block_size = 2                 # hierarchical only
    block_steps = 4                # H^b, hierarchical only
    model = ["resnet20", "densenet40-12"]
    dataset = ["cifar10", "cifar100"]   # a dataset role: the scale maps it to a real dataset
    epochs_factor = 1.0            # x the scale's epochs (Table 12)
    lr_factor = 1.0                # x the scale's base LR (Table 16: 0.1 instead of 0.2)
    switch_fraction = 0.75         # post-local switch at this fraction of training
    global_delay = 1.0             # seconds per global average
    needs = ["batch-schedule"]     # capabilities this block alone needs

    [[paper_values]]
    row = "..."; col = "..."; value = "92.63 ± 0.26"; tag = "U"   # V | C | I | U

    [benchmark]                    # instead of [[runs]]: measured by localsgd-microbench
    command = "fwd-bwd"            # model | fwd-bwd (tables) | latency (figures)
    models = ["resnet20"]          # one job each (latency: placements = ["intra-node", ...])
    dataset = "cifar10"            # model, fwd-bwd: the images' shape (a dataset role)
    batches = [32, 64]             # fwd-bwd: the paper's sizes, x the scale's local_batch_factor

    [[panels]]                     # figures: one drawing each, figures/<scale>/<id><suffix>.png
    suffix = "a"                   # "" for a figure's only drawing
    plot = "curves"                # curves | bars (best test accuracy per run) | lines (a
                                   # [benchmark]'s records, x and y its fields, log = "xy")
    x = "sync_rounds"              # curves: epoch | wall_seconds | modelled_seconds | sync_rounds | samples
    y = "test_accuracy"            # curves: test_accuracy | train_loss | test_loss | train_accuracy
    select = "^\\(a\\)"            # regex on the run's row (default: every run); title, xlabel, ylabel

A figure is drawable when localsgd-analyze draws all of its `analyses` (FIGURE_ANALYSES) and it
has [[panels]]; a panel that selects no trainable run (partial figures) is not a target.

A scale (configs/scales/small.toml) names a base trainer config, seeds, factors, trainer
overrides for every run, and the dataset roles and models it maps. Adding a scale is a file.
With `mpi_workers = [2, 16]` its runs of K = 2 and 16 workers train as K MPI ranks (the
Snakefile's rule train_mpi: mpirun locally, srun --mpi=pmix through the slurm/ profile) and
report measured times; the others simulate their workers in one process.

Each run resolves to a variant whose name is built from its effective settings, so the same
run declared by several experiments is trained once. Whether an experiment is ready is decided
against CAPABILITIES below, the one place that lists what the trainer can do.

No Snakemake dependency. Run `python3 workflow/registry.py status [--scale S]` to list the
experiments of a scale as ready / partial / waiting for: ... / not at this scale.
"""
from __future__ import annotations

import itertools
import math
import re
import shlex
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


# What the trainer (and the workflow) can do today. Every need of a declaration that is not
# in here makes the experiment (or the runs that need it) wait.
CAPABILITIES = frozenset({
    # algorithm.kind
    "minibatch", "local", "postlocal", "hierarchical",
    # models (the CIFAR ResNet family, depth 6n+2)
    "resnet20", "resnet32", "resnet44", "resnet56", "resnet110",
    # datasets
    "fashion-mnist", "cifar10", "cifar100",
    # trainer features
    "global-delay", "switch-epoch", "momentum-policy", "bn-stats-policy",
    # the analyzer (build/localsgd-analyze) and the figure analyses it draws
    "localsgd-analyze",
    # build/localsgd-microbench: the [benchmark] commands of tables 6 and 7
    "model-size", "fwd-bwd-benchmark", "latency-benchmark",
    # placements of the latency benchmark (two ranks on two nodes is not built yet)
    "intra-node",
})
# A [benchmark] command of localsgd-microbench -> the capability it stands for.
BENCHMARK_COMMANDS = {"model": "model-size", "fwd-bwd": "fwd-bwd-benchmark",
                      "latency": "latency-benchmark"}
# Analyses of a figure's `analyses` list that localsgd-analyze draws (curves, bars). A figure
# naming any other analysis (hessian-spectrum, sharpness, ...) waits for it.
FIGURE_ANALYSES = frozenset({"learning-curves", "learning-curves-vs-time", "accuracy-vs-h",
                             "benchmark-lines"})
# Analyses of a table's `analyses` list that workflow/tables.py computes.
TABLE_ANALYSES = frozenset({"time-to-accuracy", "phase-timing"})
PLOTS = ("curves", "bars", "lines")   # lines: fields of a [benchmark]'s records (figure 5)
CURVE_X = ("epoch", "wall_seconds", "modelled_seconds", "time_seconds", "sync_rounds", "samples")
CURVE_Y = ("test_accuracy", "train_loss", "test_loss", "train_accuracy")
PANEL_KEYS = {"suffix", "plot", "x", "y", "log", "title", "xlabel", "ylabel", "select"}
ALGORITHMS = ("minibatch", "local", "postlocal", "hierarchical")
RESNET_RE = re.compile(r"^resnet(\d+)$")
KINDS = ("table", "figure")
TAGS = ("V", "C", "I", "U")
METRICS = ("best_test_accuracy", "final_test_accuracy", "time_to_accuracy", "speedup")
TIME_METRICS = ("time_to_accuracy", "speedup")
PHASES = ("to-target", "whole", "post-local")
ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")
OVERRIDE_KEY_RE = re.compile(r"^[a-z_]+\.[a-z_]+$")

TOP_KEYS = {"id", "kind", "caption", "paper", "needs", "analyses", "row_header", "metric",
            "baseline", "target_fraction", "phase", "runs", "paper_values", "notes", "panels",
            "benchmark"}
RUN_KEYS = {"row", "col", "algorithm", "workers", "local_batch", "local_steps", "block_size",
            "block_steps", "model", "dataset", "epochs_factor", "lr_factor", "switch_fraction",
            "global_delay", "needs"}
RUN_REQUIRED = ("row", "algorithm", "workers", "local_batch", "model", "dataset")
SCALE_KEYS = {"name", "description", "base_config", "seeds", "local_batch_factor", "epochs",
              "lr", "experiments", "trainer", "datasets", "models", "paths_file",
              "paths_example", "mpi_workers"}


MPI_SUFFIX = "mpi"   # last part of the name of a run trained as MPI ranks (rule train_mpi)


class RegistryError(ValueError):
    """A declaration or scale file is malformed; the message names the file."""


def _req(cond, path, msg):
    if not cond:
        raise RegistryError(f"{path}: {msg}")


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def toml_value(value) -> str:
    """A Python value as a TOML value, for the trainer's --set section.key=value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RegistryError(f"non-finite number {value!r} in an override")
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise RegistryError(f"cannot pass {value!r} ({type(value).__name__}) as an override")


def run_dir(results_dir, scale: str, variant: str, seed: int) -> Path:
    """Where one training run writes: results/<scale>/runs/<variant>/seed<seed>/."""
    return Path(results_dir) / scale / "runs" / variant / f"seed{seed}"


def fmt_num(x) -> str:
    """Short, stable text of a number for variant names: 0.05, 5.3333, 300."""
    if _is_int(x) or (isinstance(x, float) and x.is_integer()):
        return str(int(x))
    return f"{x:.4f}".rstrip("0").rstrip(".")


def _load_toml(path):
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise RegistryError(f"{path}: {e}") from e


# ------------------------------------------------------------------ declarations
@dataclass(frozen=True)
class RunSpec:
    """One run of a declaration, in scale-free terms."""
    row: str
    col: str
    algorithm: str
    workers: int
    local_batch: int
    local_steps: int
    block_size: int
    block_steps: int
    model: str
    dataset: str
    epochs_factor: float
    lr_factor: float
    switch_fraction: float | None
    global_delay: float
    needs: tuple

    def capabilities(self) -> tuple:
        return (self.algorithm, self.model, self.dataset, *self.needs)


@dataclass(frozen=True)
class PaperValue:
    row: str
    col: str
    value: str
    tag: str


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


@dataclass(frozen=True)
class Benchmark:
    """A table or figure measured by localsgd-microbench instead of trained: one job per model
    (model, fwd-bwd) or per placement of the two ranks (latency)."""
    command: str         # model | fwd-bwd | latency
    models: tuple        # models, or latency's placements (intra-node, inter-node)
    dataset: str         # a dataset role, mapped by the scale like a run's ("" for latency)
    batches: tuple       # fwd-bwd: the paper's batch sizes (a scale multiplies them)


@dataclass(frozen=True)
class Experiment:
    id: str
    path: Path
    kind: str
    caption: str
    paper: str
    needs: tuple
    analyses: tuple
    row_header: str
    metric: str
    runs: tuple          # of RunSpec
    paper_values: tuple  # of PaperValue
    notes: str
    panels: tuple = ()   # of Panel (figures)
    benchmark: Benchmark | None = None
    baseline: tuple | None = None   # (row, col or None = the cell's column): time metrics
    target_fraction: float = 0.0    # time_to_accuracy and speedup to-target
    phase: str = "to-target"        # speedup

    def baseline_cell(self, col: str) -> tuple:
        """(row, col) of the run a cell in column `col` is compared to."""
        row, bcol = self.baseline
        return (row, col if bcol is None else bcol)

    @property
    def target(self) -> str:
        return f"{self.id}"


def _expand_block(raw: dict, path, where) -> list:
    unknown = sorted(set(raw) - RUN_KEYS)
    _req(not unknown, path, f"{where}: unknown keys {unknown}")
    for k in RUN_REQUIRED:
        _req(k in raw, path, f"{where}: '{k}' is required")
    needs = raw.get("needs", [])
    _req(isinstance(needs, list) and all(isinstance(n, str) for n in needs), path,
         f"{where}: needs must be a list of strings")
    axes = {k: (v if isinstance(v, list) else [v]) for k, v in raw.items()
            if k not in ("row", "col", "needs")}
    for k, vs in axes.items():
        _req(len(vs) > 0, path, f"{where}: {k} is an empty list")
    keys = list(axes)
    specs = []
    for combo in itertools.product(*(axes[k] for k in keys)):
        d = dict(zip(keys, combo))
        alg = d["algorithm"]
        _req(isinstance(alg, str), path, f"{where}: algorithm must be a string")
        for k in ("workers", "local_batch", "local_steps", "block_size", "block_steps"):
            if k in d:
                _req(_is_int(d[k]) and d[k] >= 1, path, f"{where}: {k} must be a positive integer")
        for k in ("epochs_factor", "lr_factor", "switch_fraction", "global_delay"):
            if k in d:
                _req(_is_num(d[k]) and d[k] >= 0, path, f"{where}: {k} must be a number >= 0")
        for k in ("model", "dataset"):
            _req(isinstance(d[k], str) and d[k], path, f"{where}: {k} must be a string")
        if alg == "minibatch":
            _req(d.get("local_steps", 1) == 1, path, f"{where}: mini-batch SGD has H = 1")
        if alg != "hierarchical":
            _req("block_size" not in d and "block_steps" not in d, path,
                 f"{where}: block_size/block_steps only for hierarchical")
        else:
            _req("block_size" in d and "block_steps" in d, path,
                 f"{where}: hierarchical needs block_size and block_steps")
        if "switch_fraction" in d:
            _req(alg == "postlocal", path, f"{where}: switch_fraction only for postlocal")
        fields = dict(algorithm=alg, workers=d["workers"], local_batch=d["local_batch"],
                      local_steps=d.get("local_steps", 1), block_size=d.get("block_size", 0),
                      block_steps=d.get("block_steps", 1), model=d["model"],
                      dataset=d["dataset"], epochs_factor=float(d.get("epochs_factor", 1.0)),
                      lr_factor=float(d.get("lr_factor", 1.0)),
                      switch_fraction=d.get("switch_fraction"),
                      global_delay=float(d.get("global_delay", 0.0)))
        fmt = {**fields, "K": fields["workers"], "H": fields["local_steps"],
               "Hb": fields["block_steps"], "B": fields["local_batch"],
               "KB": fields["workers"] * fields["local_batch"]}
        try:
            row = raw["row"].format(**fmt)
            col = raw.get("col", "").format(**fmt)
        except (KeyError, IndexError, ValueError) as e:
            raise RegistryError(f"{path}: {where}: bad row/col template: {e}") from e
        specs.append(RunSpec(row=row, col=col, needs=tuple(needs), **fields))
    return specs


def load_experiment(path) -> Experiment:
    path = Path(path)
    d = _load_toml(path)
    unknown = sorted(set(d) - TOP_KEYS)
    _req(not unknown, path, f"unknown top-level keys {unknown}")
    _req(d.get("id") == path.stem, path, f"id must equal the file name ({path.stem!r})")
    _req(ID_RE.match(d["id"]) is not None, path, "id must be lower-case letters, digits, '-'")
    _req(d.get("kind") in KINDS, path, f"kind must be one of {KINDS}")
    _req(isinstance(d.get("caption"), str) and d["caption"].strip(), path, "caption is required")
    for k in ("needs", "analyses"):
        v = d.get(k, [])
        _req(isinstance(v, list) and all(isinstance(x, str) and x for x in v), path,
             f"{k} must be a list of strings")
    metric = d.get("metric", "best_test_accuracy")
    _req(metric in METRICS, path, f"metric must be one of {METRICS}")
    raw_runs = d.get("runs", [])
    _req(isinstance(raw_runs, list), path, "[[runs]] must be an array of tables")
    runs = []
    for i, raw in enumerate(raw_runs):
        runs += _expand_block(raw, path, f"runs block #{i + 1}")
    benchmark = _load_benchmark(d, path)
    _req(runs or d.get("needs") or benchmark, path,
         "an experiment without runs or [benchmark] must name what it needs")
    cells = [(r.row, r.col) for r in runs]
    dupes = sorted({c for c in cells if cells.count(c) > 1})
    _req(not dupes, path, f"two runs share a table cell (row, col): {dupes[:3]}")
    baseline, fraction, phase = _load_timing(d, path, metric, cells)
    pvs = []
    for i, pv in enumerate(d.get("paper_values", [])):
        _req(set(pv) <= {"row", "col", "value", "tag"} and "value" in pv and "row" in pv, path,
             f"paper_values #{i + 1}: keys are row, col, value, tag")
        _req(pv.get("tag") in TAGS, path, f"paper_values #{i + 1}: tag must be one of {TAGS}")
        key = (pv["row"], pv.get("col", ""))
        _req(key in cells, path, f"paper_values #{i + 1}: no run in cell {key}")
        pvs.append(PaperValue(row=pv["row"], col=pv.get("col", ""), value=str(pv["value"]),
                              tag=pv["tag"]))
    panels = _load_panels(d, path)
    return Experiment(id=d["id"], path=path, kind=d["kind"], caption=d["caption"].strip(),
                      paper=d.get("paper", "").strip(), needs=tuple(d.get("needs", [])),
                      analyses=tuple(d.get("analyses", [])),
                      row_header=d.get("row_header", "Run"), metric=metric, runs=tuple(runs),
                      paper_values=tuple(pvs), notes=d.get("notes", "").strip(),
                      panels=panels, baseline=baseline, target_fraction=fraction, phase=phase,
                      benchmark=benchmark)


def _load_benchmark(d, path):
    """The [benchmark] table of a declaration, checked (None without one)."""
    b = d.get("benchmark")
    if b is None:
        return None
    _req(isinstance(b, dict) and not d.get("runs"), path, "[benchmark] comes instead of [[runs]]")
    unknown = sorted(set(b) - {"command", "models", "placements", "dataset", "batches"})
    _req(not unknown, path, f"[benchmark]: unknown keys {unknown}")
    _req(b.get("command") in BENCHMARK_COMMANDS, path,
         f"[benchmark] command must be one of {sorted(BENCHMARK_COMMANDS)}")
    latency = b["command"] == "latency"
    _req((d.get("kind") == "figure") == latency, path,
         "[benchmark] latency is a figure's; model and fwd-bwd are tables'")
    key = "placements" if latency else "models"
    models = b.get(key)
    _req(key in b and (latency or "placements" not in b) and isinstance(models, list) and models
         and all(isinstance(m, str) and re.match(r"^[a-z0-9][a-z0-9.-]*$", m) for m in models),
         path, f"[benchmark] {key}: a non-empty list of names"
         + (" (intra-node, inter-node)" if latency else " of models"))
    _req(isinstance(b.get("dataset"), str) != latency, path,
         "[benchmark] dataset: required for model and fwd-bwd, not for latency")
    batches = b.get("batches", [])
    _req(isinstance(batches, list) and all(_is_int(x) and x >= 1 for x in batches), path,
         "[benchmark] batches: a list of positive integers")
    _req((b["command"] == "fwd-bwd") == bool(batches), path,
         "[benchmark] batches are for command fwd-bwd, which needs them")
    return Benchmark(b["command"], tuple(models), b.get("dataset", ""), tuple(batches))


def _load_timing(d, path, metric, cells) -> tuple:
    """(baseline, target_fraction, phase) of a time-to-accuracy or speedup table, checked."""
    keys = [k for k in ("baseline", "target_fraction", "phase") if k in d]
    if metric not in TIME_METRICS:
        _req(not keys, path, f"{keys} only for metric {' or '.join(TIME_METRICS)}")
        return None, 0.0, "to-target"
    _req(d.get("kind") == "table", path, f"metric {metric} is for tables")
    b = d.get("baseline")
    _req(isinstance(b, dict) and set(b) <= {"row", "col"} and isinstance(b.get("row"), str)
         and isinstance(b.get("col", ""), str), path,
         "baseline = { row = \"...\", col = \"...\" } is required (col optional: the cell's column)")
    cols = sorted({c for _, c in cells})
    wanted = [(b["row"], b["col"])] if "col" in b else [(b["row"], c) for c in cols]
    absent = [w for w in wanted if w not in cells]
    _req(not absent, path, f"baseline: no run in cell(s) {absent[:3]}")
    phase = d.get("phase", "to-target")
    _req(phase in PHASES, path, f"phase must be one of {PHASES}")
    _req(metric == "speedup" or phase == "to-target", path, "phase is for metric speedup")
    needs_target = phase == "to-target"
    fraction = d.get("target_fraction")
    _req(not needs_target or (_is_num(fraction) and 0 < fraction <= 1), path,
         "target_fraction: a number in (0, 1], the target as a fraction of the baseline's "
         "mean best test accuracy")
    _req(needs_target or fraction is None, path, f"target_fraction is not used with phase {phase!r}")
    return (b["row"], b.get("col")), float(fraction or 0.0), phase


def _load_panels(d, path) -> tuple:
    raw = d.get("panels", [])
    _req(isinstance(raw, list), path, "[[panels]] must be an array of tables")
    _req(not raw or d.get("kind") == "figure", path, "only figures have [[panels]]")
    panels = []
    for i, p in enumerate(raw):
        where = f"panels #{i + 1}"
        _req(isinstance(p, dict), path, f"{where} must be a table")
        unknown = sorted(set(p) - PANEL_KEYS)
        _req(not unknown, path, f"{where}: unknown keys {unknown}")
        suffix = p.get("suffix", "")
        _req(isinstance(suffix, str) and re.match(r"^[a-z]?$", suffix), path,
             f"{where}: suffix is one lower-case letter or empty")
        plot = p.get("plot")
        _req(plot in PLOTS, path, f"{where}: plot must be one of {PLOTS}")
        x, y = p.get("x", "epoch"), p.get("y", "test_accuracy")
        _req(p.get("log", "") in ("", "x", "y", "xy") and (plot == "lines" or "log" not in p),
             path, f"{where}: log is x, y or xy, for plot lines")
        _req((plot == "lines") == ("benchmark" in d), path,
             f"{where}: plot lines draws a [benchmark]'s records, and a [benchmark] figure only those")
        if plot == "curves":
            _req(x in CURVE_X, path, f"{where}: x must be one of {CURVE_X}")
            _req(y in CURVE_Y, path, f"{where}: y must be one of {CURVE_Y}")
        elif plot == "lines":
            _req(all(isinstance(v, str) and re.match(r"^[a-z_]+$", v) for v in (p.get("x"), p.get("y"))),
                 path, f"{where}: lines needs x and y, fields of the benchmark's records")
        else:
            _req("x" not in p and "y" not in p, path, f"{where}: bars take no x/y "
                 "(best test accuracy per run)")
        for k in ("title", "xlabel", "ylabel", "select"):
            _req(isinstance(p.get(k, ""), str), path, f"{where}: {k} must be a string")
        try:
            re.compile(p.get("select", ""))
        except re.error as e:
            raise RegistryError(f"{path}: {where}: bad select regex: {e}") from e
        panels.append(Panel(suffix=suffix, plot=plot, x=x, y=y, title=p.get("title", ""),
                            xlabel=p.get("xlabel", ""), ylabel=p.get("ylabel", ""),
                            select=p.get("select", ""), log=p.get("log", "")))
    suffixes = [q.suffix for q in panels]
    _req(len(set(suffixes)) == len(suffixes), path, "two panels share a suffix")
    _req(len(panels) <= 1 or "" not in suffixes, path,
         "a figure with several panels names each with a suffix")
    return tuple(panels)


def load_experiments(configs_dir) -> dict:
    paths = sorted((Path(configs_dir) / "experiments").glob("*.toml"))
    if not paths:
        raise RegistryError(f"no declarations in {Path(configs_dir) / 'experiments'}")
    exps = [load_experiment(p) for p in paths]
    return {e.id: e for e in sorted(exps, key=lambda e: _sort_key(e.id))}


def _sort_key(exp_id):
    m = re.match(r"^(table|figure)(\d+)$", exp_id)
    return (0 if m and m.group(1) == "table" else 1, int(m.group(2)) if m else 999, exp_id)


# ------------------------------------------------------------------ scales
@dataclass(frozen=True)
class Scale:
    name: str
    path: Path
    description: str
    base_config: Path
    seeds: tuple
    local_batch_factor: float
    epochs: float
    lr: float
    experiments: tuple | None   # None = all
    trainer: tuple              # (("section.key", value), ...) for every run
    datasets: dict              # role -> (name, overrides tuple)
    models: dict                # model -> (overrides tuple, epochs or None)
    mpi_workers: tuple = ()     # runs with these K train as K MPI ranks (rule train_mpi)


def _overrides(d, path, where):
    _req(isinstance(d, dict), path, f"{where} must be a table")
    for k, v in d.items():
        _req(OVERRIDE_KEY_RE.match(k) is not None, path, f"{where}: key {k!r} is not 'section.key'")
        toml_value(v)
    return tuple(d.items())


def load_scale(configs_dir, name) -> Scale:
    path = Path(configs_dir) / "scales" / f"{name}.toml"
    if not path.is_file():
        known = sorted(p.stem for p in (Path(configs_dir) / "scales").glob("*.toml"))
        raise RegistryError(f"unknown scale {name!r}: no {path} (scales: {known})")
    d = _load_toml(path)
    unknown = sorted(set(d) - SCALE_KEYS)
    _req(not unknown, path, f"unknown keys {unknown}")
    _req(d.get("name") == name, path, f"name must equal the file name ({name!r})")
    _req(isinstance(d.get("base_config"), str), path, "base_config is required")
    base = (path.parent / d["base_config"]).resolve()
    _req(base.is_file(), path, f"base_config {d['base_config']!r} not found")
    seeds = d.get("seeds")
    _req(isinstance(seeds, list) and seeds and all(_is_int(s) and s >= 0 for s in seeds)
         and len(set(seeds)) == len(seeds), path, "seeds: a non-empty list of distinct integers >= 0")
    for k in ("local_batch_factor", "epochs", "lr"):
        _req(_is_num(d.get(k)) and d[k] > 0, path, f"{k} must be a positive number")
    mpi = d.get("mpi_workers", [])
    _req(isinstance(mpi, list) and all(_is_int(k) and k >= 2 for k in mpi), path,
         "mpi_workers: a list of worker counts K >= 2 (those runs train as K MPI ranks)")
    exps = d.get("experiments")
    _req(exps is None or (isinstance(exps, list) and all(isinstance(e, str) for e in exps)),
         path, "experiments must be a list of ids")
    paths = {}
    if "paths_file" in d:
        pf = path.parent / d["paths_file"]
        example = path.parent / d.get("paths_example", d["paths_file"] + ".example")
        if pf.is_file():
            paths = _load_toml(pf).get("paths", {})
        elif example.is_file():
            paths = _load_toml(example).get("paths", {})
            print(f"registry: scale {name!r}: {pf.name} not found, using the placeholder paths "
                  f"of {example.name} (copy it and edit the paths to run this scale)",
                  file=sys.stderr)
    datasets = {}
    for role, m in d.get("datasets", {}).items():
        _req(isinstance(m, dict) and isinstance(m.get("name"), str), path,
             f"datasets.{role}: needs name = <dataset>")
        ov = dict(m.get("overrides", {}))
        if "path_key" in m:
            _req(m["path_key"] in paths, path,
                 f"datasets.{role}: path_key {m['path_key']!r} not in the paths file")
            ov["data.path"] = paths[m["path_key"]]
        datasets[role] = (m["name"], _overrides(ov, path, f"datasets.{role}.overrides"))
    models = {}
    for model, m in d.get("models", {}).items():
        _req(isinstance(m, dict), path, f"models.{model} must be a table")
        ep = m.get("epochs")
        _req(ep is None or (_is_num(ep) and ep > 0), path, f"models.{model}.epochs: a number > 0")
        models[model] = (_overrides(m.get("overrides", {}), path, f"models.{model}.overrides"), ep)
    return Scale(name=name, path=path, description=d.get("description", ""), base_config=base,
                 seeds=tuple(seeds), local_batch_factor=float(d["local_batch_factor"]),
                 epochs=float(d["epochs"]), lr=float(d["lr"]),
                 experiments=tuple(exps) if exps is not None else None,
                 trainer=_overrides(d.get("trainer", {}), path, "trainer"),
                 datasets=datasets, models=models, mpi_workers=tuple(mpi))


def scale_names(configs_dir) -> list:
    return sorted(p.stem for p in (Path(configs_dir) / "scales").glob("*.toml"))


# ------------------------------------------------------------------ resolution
@dataclass(frozen=True)
class RunVariant:
    """A run at one scale: a base config plus --set overrides; trained once per seed."""
    name: str
    base_config: Path
    overrides: tuple  # (("section.key", value), ...)
    kind: str
    workers: int
    local_batch: int
    local_steps: int
    block_size: int
    block_steps: int
    ranks: int = 0      # MPI ranks, one worker each (0: the workers are simulated in one process)

    def set_args(self, seed=None) -> list:
        pairs = list(self.overrides)
        if seed is not None:
            pairs.append(("run.seed", int(seed)))
        return [f"{k}={toml_value(v)}" for k, v in pairs]

    def set_command_line(self, seed=None) -> str:
        return " ".join(f"--set {shlex.quote(a)}" for a in self.set_args(seed))


def missing_for(spec: RunSpec, scale: Scale) -> list:
    """What a run still waits for at `scale` (empty: it can be trained)."""
    return _missing_model_data(spec.capabilities(), spec.model, spec.dataset, scale)


def _model_and_data(model, dataset, scale: Scale) -> tuple:
    """(name parts, overrides) of a model on a dataset role at a scale, its trainer overrides
    first: what a run and a benchmark of that model share."""
    ds_name, ds_over = scale.datasets[dataset]
    model_over, _ = scale.models[model]
    parts, over = [], list(scale.trainer)
    if ds_over:
        parts.append(ds_name)
        over += ds_over
    if model_over:
        parts.append(model)
        over += model_over
    return parts, over


def _missing_model_data(capabilities, model, dataset, scale: Scale) -> list:
    """What a model on a dataset role, needing `capabilities` (model and dataset among them),
    waits for at a scale."""
    missing = [c for c in capabilities if c not in CAPABILITIES]
    if dataset in CAPABILITIES and dataset not in scale.datasets:
        missing.append(f"dataset role {dataset} mapped by scale {scale.name}")
    elif dataset in scale.datasets and scale.datasets[dataset][0] not in CAPABILITIES:
        missing.append(scale.datasets[dataset][0])
    if model in CAPABILITIES and model not in scale.models:
        missing.append(f"model {model} mapped by scale {scale.name}")
    return missing


def benchmark_arguments(bench: Benchmark, model: str, scale: Scale) -> list:
    """localsgd-microbench's arguments after CONFIG for one model of a [benchmark] at a scale."""
    _, over = _model_and_data(model, bench.dataset, scale)
    args = []
    for k, v in over:
        args += ["--set", f"{k}={toml_value(v)}"]
    if bench.batches:
        batches = [max(1, round(b * scale.local_batch_factor)) for b in bench.batches]
        args += ["--batches", ",".join(str(b) for b in dict.fromkeys(batches))]
    return args


def resolve(spec: RunSpec, scale: Scale) -> RunVariant:
    """The trainer run of a (ready) run spec at a scale; its name encodes its settings."""
    _, model_epochs = scale.models[spec.model]
    B = max(1, round(spec.local_batch * scale.local_batch_factor))
    parts, over = _model_and_data(spec.model, spec.dataset, scale)
    alg = f"{spec.algorithm}-k{spec.workers}-b{B}"
    if spec.algorithm != "minibatch":
        alg += f"-h{spec.local_steps}"
    if spec.algorithm == "hierarchical":
        alg += f"-bs{spec.block_size}-hb{spec.block_steps}"
    parts.append(alg)
    over += [("algorithm.kind", spec.algorithm), ("algorithm.workers", spec.workers),
             ("algorithm.local_batch", B), ("algorithm.local_steps", spec.local_steps)]
    if spec.algorithm == "hierarchical":
        over += [("algorithm.block_size", spec.block_size),
                 ("algorithm.block_steps", spec.block_steps)]
    base_epochs = model_epochs if model_epochs is not None else scale.epochs
    epochs = round(base_epochs * spec.epochs_factor, 4)
    if spec.epochs_factor != 1.0 or model_epochs is not None:
        parts.append(f"e{fmt_num(epochs)}")
        over.append(("run.epochs", float(epochs)))
    if spec.lr_factor != 1.0:
        lr = round(scale.lr * spec.lr_factor, 8)
        parts.append(f"lr{fmt_num(lr)}")
        over.append(("optimizer.lr", lr))
    if spec.switch_fraction is not None:
        sw = round(epochs * spec.switch_fraction, 4)
        parts.append(f"sw{fmt_num(sw)}")
        over.append(("algorithm.switch_epoch", float(sw)))
    if spec.global_delay:
        parts.append(f"d{fmt_num(spec.global_delay)}")
        over.append(("comm.global_delay", spec.global_delay))
    ranks = spec.workers if spec.workers in scale.mpi_workers else 0
    if ranks:  # a distributed run is another run: its times are measured, not modelled
        parts.append(MPI_SUFFIX)
        over.append(("comm.backend", "mpi"))
    return RunVariant(name="-".join(parts), base_config=scale.base_config, overrides=tuple(over),
                      kind=spec.algorithm, workers=spec.workers, local_batch=B,
                      local_steps=spec.local_steps, block_size=spec.block_size,
                      block_steps=spec.block_steps, ranks=ranks)


@dataclass
class Status:
    experiment: Experiment
    state: str                     # ready | partial | waiting | not-at-scale
    missing: list                  # capabilities it waits for
    cells: list = field(default_factory=list)  # (RunSpec, RunVariant or None, missing list)
    bench_cells: list = field(default_factory=list)  # [benchmark]: (model, missing list)

    def ready_count(self) -> str:
        if self.experiment.benchmark:
            n = sum(1 for _, m in self.bench_cells if not m)
            return f"{n} benchmark{'s' * (n != 1)}"
        return f"{len(self.variants())} runs"

    def line(self) -> str:
        e = self.experiment
        if self.state == "ready":
            return f"{e.id}: ready ({self.ready_count()})"
        if self.state == "not-at-scale":
            return f"{e.id}: not at this scale"
        what = ", ".join(self.missing)
        if self.state == "partial":
            return f"{e.id}: partial ({self.ready_count()} ready); waiting for: {what}"
        return f"{e.id}: waiting for: {what}"

    def benchmark_models(self) -> list:
        """Models of a [benchmark] table that can be measured at this scale."""
        return [model for model, m in self.bench_cells if not m]

    def variants(self) -> list:
        seen = {}
        for _, v, _ in self.cells:
            if v is not None:
                seen.setdefault(v.name, v)
        return list(seen.values())


@dataclass
class ScaleRegistry:
    scale: Scale
    experiments: dict   # id -> Experiment
    statuses: dict      # id -> Status
    variants: dict      # name -> RunVariant, for every run of a ready/partial experiment

    def figures(self) -> list:
        """Targets (figure id + panel suffix) of the figures that can be drawn at this scale:
        every panel of a ready or partial figure that selects at least one trainable run."""
        out = []
        for i, s in self.statuses.items():
            if s.state in ("ready", "partial") and s.experiment.kind == "figure":
                out += [i + p.suffix for p in s.experiment.panels if self.panel_series(i, p)]
        return out

    def panel(self, target):
        """(experiment id, Panel) of a figure target such as figure7a."""
        m = re.match(r"^(figure\d+)([a-z]?)$", target)
        if not m or m.group(1) not in self.experiments:
            raise KeyError(target)
        for p in self.experiments[m.group(1)].panels:
            if p.suffix == m.group(2):
                return m.group(1), p
        raise KeyError(target)

    def panel_series(self, exp_id, panel) -> list:
        """(label, variant) per trainable run a panel draws, in declaration order; the label
        is the run's row (and column), '=' written ':' (the analyzer splits LABEL=RUN_DIR).
        A [benchmark] figure's: (placement, None) per measurable placement."""
        if self.experiments[exp_id].benchmark:
            return [(m, None) for m in self.statuses[exp_id].benchmark_models()]
        out = []
        for spec, v, _ in self.statuses[exp_id].cells:
            if v is None or not panel.selects(spec.row):
                continue
            label = spec.row + (f" {spec.col}" if spec.col else "")
            out.append((label.replace("=", ":"), v))
        return out

    def tables(self) -> list:
        """Ids of the tables that can be built at this scale (ready or partial)."""
        return [i for i, s in self.statuses.items()
                if s.state in ("ready", "partial") and s.experiment.kind == "table"]

    def benchmarks(self) -> list:
        """(experiment id, model or placement) of every benchmark job of the scale's buildable
        tables and figures."""
        ids = self.tables() + [i for i, st in self.statuses.items() if st.experiment.kind == "figure"
                               and st.state in ("ready", "partial")]
        return [(i, m) for i in ids for m in self.statuses[i].benchmark_models()]

    def runs(self, exp_id) -> list:
        """(variant, seed) of every trainable run of an experiment."""
        return [(v, s) for v in self.statuses[exp_id].variants() for s in self.scale.seeds]

    def status_lines(self) -> list:
        return [self.statuses[i].line() for i in self.experiments]


def _unique(xs):
    return list(dict.fromkeys(xs))


def build(configs_dir, scale_name) -> ScaleRegistry:
    scale = load_scale(configs_dir, scale_name)
    exps = load_experiments(configs_dir)
    if scale.experiments is not None:
        unknown = [e for e in scale.experiments if e not in exps]
        _req(not unknown, scale.path, f"experiments {unknown} are not declared")
    statuses, variants = {}, {}
    for e in exps.values():
        if scale.experiments is not None and e.id not in scale.experiments:
            statuses[e.id] = Status(e, "not-at-scale", [])
            continue
        exp_missing = [n for n in e.needs if n not in CAPABILITIES]
        done = FIGURE_ANALYSES if e.kind == "figure" else TABLE_ANALYSES
        exp_missing += [a for a in e.analyses if a not in done]
        if e.kind == "figure" and not e.panels and not exp_missing:
            exp_missing.append("[[panels]] in its declaration")
        cells, run_missing, bench_cells = [], [], []
        for spec in e.runs:
            m = missing_for(spec, scale)
            run_missing += m
            cells.append((spec, None if (m or exp_missing) else resolve(spec, scale), m))
        if e.benchmark:
            b = e.benchmark
            for model in b.models:
                if b.command == "latency":   # model is a placement of the two ranks
                    m = [c for c in (BENCHMARK_COMMANDS[b.command], model) if c not in CAPABILITIES]
                else:
                    caps = (BENCHMARK_COMMANDS[b.command], model, b.dataset)
                    m = _missing_model_data(caps, model, b.dataset, scale)
                run_missing += m
                bench_cells.append((model, m + exp_missing))
        missing = _unique(exp_missing + run_missing)
        ready = [c for c in cells if c[1] is not None] + [c for c in bench_cells if not c[1]]
        if not missing:
            state = "ready"
        elif ready:
            state = "partial"
        else:
            state = "waiting"
        st = Status(e, state, missing, cells, bench_cells)
        statuses[e.id] = st
        if state in ("ready", "partial"):
            for v in st.variants():
                seen = variants.get(v.name)
                if seen is not None and seen != v:
                    raise RegistryError(f"{e.path}: run {v.name!r} resolves differently in two "
                                        f"experiments at scale {scale.name!r}")
                variants[v.name] = v
    return ScaleRegistry(scale=scale, experiments=exps, statuses=statuses, variants=variants)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    import argparse
    p = argparse.ArgumentParser(description="List the experiments of a scale.")
    p.add_argument("command", choices=["status", "runs"])
    p.add_argument("--scale", action="append", help="default: every scale")
    p.add_argument("--configs", default=str(Path(__file__).resolve().parent.parent / "configs"))
    a = p.parse_args(argv)
    try:
        for name in a.scale or scale_names(a.configs):
            reg = build(a.configs, name)
            if a.command == "status":
                print(f"# scale {name}: {len(reg.variants)} distinct runs x "
                      f"{len(reg.scale.seeds)} seeds")
                for line in reg.status_lines():
                    print(line)
            else:
                for v in reg.variants.values():
                    print(name, v.name, v.set_command_line())
    except RegistryError as e:
        print(f"registry.py: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
