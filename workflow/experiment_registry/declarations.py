"""configs/experiments/<id>.toml: one declaration per table or figure of the paper, in
scale-free terms, parsed and checked into an Experiment.

A declaration (see configs/experiments/table3.toml for a commented one):

    id = "table3"                  # = file name
    kind = "table"                 # table | figure
    caption = "..."
    paper = "..."                  # the paper's settings, free text
    needs = ["localsgd-analyze"]   # capabilities beyond the runs' algorithm/model/dataset
    analyses = ["hessian-spectrum"]  # what it computes beyond training: figures' analyses of
                                   # localsgd-analyze (readiness.py FIGURE_ANALYSES; drawn by
                                   # panels of plot hessian | interpolation | sharpness), tables'
                                   # of tables.py (TABLE_ANALYSES)
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
    algorithm = "postlocal"        # a kind the trainer describes (or a PLANNED_ALGORITHMS name)
    workers = 16                   # K
    local_batch = 128              # B_loc at the paper's scale (a scale may shrink it)
    local_steps = [16, 32]         # H, kinds that take algorithm.local_steps
    block_size = 2                 # kinds that take algorithm.block_size (hierarchical)
    block_steps = 4                # H^b, kinds that take algorithm.block_steps
    model = ["resnet20", "densenet40-12"]
    dataset = ["cifar10", "cifar100"]   # a dataset role: the scale maps it to a real dataset
    epochs_factor = 1.0            # x the scale's epochs (Table 12)
    lr_factor = 1.0                # x the scale's base LR (Table 16: 0.1 instead of 0.2)
    switch_fraction = 0.75         # post-local switch at this fraction of training
                                   # (kinds that take algorithm.switch_epoch)
    warmup_fraction = 0.1          # local-step warm-up over this fraction of training
                                   # (kinds that take algorithm.local_steps_warmup_epochs)
    global_delay = 1.0             # seconds per global average
    momentum = 0.0                 # the local optimizer's momentum (default: the base config's)
    options = { slow_momentum = [0.3, 0.6] }   # the kind's own algorithm.* keys (the
                                   # trainer's description lists them); a list is an axis too
    config = { "optimizer.noise_eta" = [1e-6, 5e-5] }   # any other trainer key by its dotted
                                   # name, checked against the description (not model.*,
                                   # algorithm.*, the keys the run keys set, or data.* other
                                   # than sampling, label_noise and bn_recompute_batches)
    start_from = "SGD"             # the row of one other run of this declaration whose saved
                                   # model (same seed) every worker starts from (run.init_from)
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
                                   # | hessian | interpolation | sharpness (an analysis of the
                                   # runs' saved models, mean over seeds; keys in panels.py)
    x = "sync_rounds"              # curves: epoch | wall_seconds | modelled_seconds | sync_rounds | samples
    y = "test_accuracy"            # curves: test_accuracy | train_loss | test_loss | train_accuracy
    select = "^\\(a\\)"            # regex on the run's row (default: every run); title, xlabel, ylabel

The [[runs]] blocks are expanded in run_blocks.py, [[panels]] in panels.py, [benchmark] in
benchmarks.py; the rest (top-level keys, paper values, the baseline of time metrics) here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .benchmarks import Benchmark, load_benchmark
from .common import RegistryError, description, is_num, load_toml, req
from .panels import load_panels
from .run_blocks import expand_block, link_starts

KINDS = ("table", "figure")
TAGS = ("V", "C", "I", "U")
METRICS = ("best_test_accuracy", "final_test_accuracy", "time_to_accuracy", "speedup")
TIME_METRICS = ("time_to_accuracy", "speedup")
PHASES = ("to-target", "whole", "post-local")
ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")
TOP_KEYS = {"id", "kind", "caption", "paper", "needs", "analyses", "row_header", "metric",
            "baseline", "target_fraction", "phase", "runs", "paper_values", "notes", "panels",
            "benchmark"}


@dataclass(frozen=True)
class PaperValue:
    row: str
    col: str
    value: str
    tag: str


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


def load_experiment(path, desc=None) -> Experiment:
    """One declaration, checked; `desc`: the trainer's description (default: the committed
    one), which says what keys each algorithm's runs take."""
    desc = description(desc)
    path = Path(path)
    d = load_toml(path)
    unknown = sorted(set(d) - TOP_KEYS)
    req(not unknown, path, f"unknown top-level keys {unknown}")
    req(d.get("id") == path.stem, path, f"id must equal the file name ({path.stem!r})")
    req(ID_RE.match(d["id"]) is not None, path, "id must be lower-case letters, digits, '-'")
    req(d.get("kind") in KINDS, path, f"kind must be one of {KINDS}")
    req(isinstance(d.get("caption"), str) and d["caption"].strip(), path, "caption is required")
    for k in ("needs", "analyses"):
        v = d.get(k, [])
        req(isinstance(v, list) and all(isinstance(x, str) and x for x in v), path,
            f"{k} must be a list of strings")
    metric = d.get("metric", "best_test_accuracy")
    req(metric in METRICS, path, f"metric must be one of {METRICS}")
    raw_runs = d.get("runs", [])
    req(isinstance(raw_runs, list), path, "[[runs]] must be an array of tables")
    runs = []
    for i, raw in enumerate(raw_runs):
        runs += expand_block(raw, path, f"runs block #{i + 1}", desc)
    runs = link_starts(runs, path)
    benchmark = load_benchmark(d, path)
    req(runs or d.get("needs") or benchmark, path,
        "an experiment without runs or [benchmark] must name what it needs")
    cells = [(r.row, r.col) for r in runs]
    dupes = sorted({c for c in cells if cells.count(c) > 1})
    req(not dupes, path, f"two runs share a table cell (row, col): {dupes[:3]}")
    baseline, fraction, phase = _load_timing(d, path, metric, cells)
    pvs = []
    for i, pv in enumerate(d.get("paper_values", [])):
        req(set(pv) <= {"row", "col", "value", "tag"} and "value" in pv and "row" in pv, path,
            f"paper_values #{i + 1}: keys are row, col, value, tag")
        req(pv.get("tag") in TAGS, path, f"paper_values #{i + 1}: tag must be one of {TAGS}")
        key = (pv["row"], pv.get("col", ""))
        req(key in cells, path, f"paper_values #{i + 1}: no run in cell {key}")
        pvs.append(PaperValue(row=pv["row"], col=pv.get("col", ""), value=str(pv["value"]),
                              tag=pv["tag"]))
    panels = load_panels(d, path, rows=[r.row for r in runs])
    return Experiment(id=d["id"], path=path, kind=d["kind"], caption=d["caption"].strip(),
                      paper=d.get("paper", "").strip(), needs=tuple(d.get("needs", [])),
                      analyses=tuple(d.get("analyses", [])),
                      row_header=d.get("row_header", "Run"), metric=metric, runs=tuple(runs),
                      paper_values=tuple(pvs), notes=d.get("notes", "").strip(),
                      panels=panels, baseline=baseline, target_fraction=fraction, phase=phase,
                      benchmark=benchmark)


def _load_timing(d, path, metric, cells) -> tuple:
    """(baseline, target_fraction, phase) of a time-to-accuracy or speedup table, checked."""
    keys = [k for k in ("baseline", "target_fraction", "phase") if k in d]
    if metric not in TIME_METRICS:
        req(not keys, path, f"{keys} only for metric {' or '.join(TIME_METRICS)}")
        return None, 0.0, "to-target"
    req(d.get("kind") == "table", path, f"metric {metric} is for tables")
    b = d.get("baseline")
    req(isinstance(b, dict) and set(b) <= {"row", "col"} and isinstance(b.get("row"), str)
        and isinstance(b.get("col", ""), str), path,
        "baseline = { row = \"...\", col = \"...\" } is required (col optional: the cell's column)")
    cols = sorted({c for _, c in cells})
    wanted = [(b["row"], b["col"])] if "col" in b else [(b["row"], c) for c in cols]
    absent = [w for w in wanted if w not in cells]
    req(not absent, path, f"baseline: no run in cell(s) {absent[:3]}")
    phase = d.get("phase", "to-target")
    req(phase in PHASES, path, f"phase must be one of {PHASES}")
    req(metric == "speedup" or phase == "to-target", path, "phase is for metric speedup")
    needs_target = phase == "to-target"
    fraction = d.get("target_fraction")
    req(not needs_target or (is_num(fraction) and 0 < fraction <= 1), path,
        "target_fraction: a number in (0, 1], the target as a fraction of the baseline's "
        "mean best test accuracy")
    req(needs_target or fraction is None, path, f"target_fraction is not used with phase {phase!r}")
    return (b["row"], b.get("col")), float(fraction or 0.0), phase


def load_experiments(configs_dir, desc=None) -> dict:
    """Every declaration of configs/experiments/, id -> Experiment: tables, then figures, by
    number."""
    desc = description(desc)
    paths = sorted((Path(configs_dir) / "experiments").glob("*.toml"))
    if not paths:
        raise RegistryError(f"no declarations in {Path(configs_dir) / 'experiments'}")
    exps = [load_experiment(p, desc) for p in paths]
    return {e.id: e for e in sorted(exps, key=lambda e: _sort_key(e.id))}


def _sort_key(exp_id):
    m = re.match(r"^(table|figure)(\d+)$", exp_id)
    return (0 if m and m.group(1) == "table" else 1, int(m.group(2)) if m else 999, exp_id)
