"""What a run, a benchmark or an experiment still waits for at a scale, and its Status.

Every need of a declaration (its runs' algorithm, model and dataset, its `needs`, a
[benchmark]'s command and placements) is looked up in capabilities(): the algorithm kinds,
datasets and features the trainer describes (workflow/trainer_description.json), plus what the
workflow itself provides (WORKFLOW_CAPABILITIES, MODEL_NAMES). A need not in there makes the
experiment, or the runs that have it, wait.

A figure is drawable when localsgd-analyze draws all of its `analyses` (FIGURE_ANALYSES) and it
has [[panels]]; a panel that selects no trainable run (partial figures) is not a target. The
analyses of trained models (hessian-spectrum, interpolation, sharpness: analyses.py) also need
the scale's [analysis] table, which sizes them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .analyses import ANALYSIS_COMMANDS
from .benchmarks import BENCHMARK_COMMANDS, Benchmark
from .common import description
from .declarations import Experiment
from .run_blocks import RunSpec
from .scales import Scale

# What the workflow provides beyond the trainer: the analyzer (build/localsgd-analyze) and
# the figure analyses it draws; build/localsgd-microbench's [benchmark] commands of tables 6
# and 7; the placements of the latency benchmark (two ranks on two nodes is not built yet).
WORKFLOW_CAPABILITIES = frozenset({"localsgd-analyze", *BENCHMARK_COMMANDS.values(),
                                   "intra-node"})
# The declarations' model names per architecture the trainer describes (model.arch): the
# CIFAR ResNet family, depth 6n+2 (a scale's models.<name>.overrides set model.depth).
MODEL_NAMES = {"resnet": ("resnet20", "resnet32", "resnet44", "resnet56", "resnet110"),
               "logistic-regression": ("logreg",)}
# The declarations' dataset roles that a dataset the trainer describes (data.dataset) can be:
# w8a is a LIBSVM file (on disk at paper scale, made by the workflow at small scale).
DATASET_ROLES = {"libsvm": ("w8a",)}
# Analyses of a figure's `analyses` list that localsgd-analyze draws: curves, bars, lines, and
# the analyses of the runs' saved models (ANALYSIS_COMMANDS: hessian, interpolate, sharpness).
# A figure naming any other analysis waits for it.
FIGURE_ANALYSES = frozenset({"learning-curves", "learning-curves-vs-time", "accuracy-vs-h",
                             "benchmark-lines", "suboptimality", *ANALYSIS_COMMANDS})
# Analyses of a table's `analyses` list that workflow/tables.py computes.
TABLE_ANALYSES = frozenset({"time-to-accuracy", "phase-timing"})


def capabilities(desc=None) -> frozenset:
    """Everything a declaration may need that the trainer and the workflow can do today."""
    desc = description(desc)
    models = {name for arch in desc.models for name in MODEL_NAMES.get(arch, ())}
    roles = {role for ds in desc.datasets for role in DATASET_ROLES.get(ds, ())}
    return desc.capabilities() | models | roles | WORKFLOW_CAPABILITIES


def missing_model_data(needs, model, dataset, scale: Scale, known: frozenset) -> list:
    """What a model on a dataset role, needing `needs` (model and dataset among them), waits
    for at a scale, given the capabilities `known`."""
    missing = [c for c in needs if c not in known]
    if dataset in known and dataset not in scale.datasets:
        missing.append(f"dataset role {dataset} mapped by scale {scale.name}")
    elif dataset in scale.datasets and scale.datasets[dataset].name not in known:
        missing.append(scale.datasets[dataset].name)
    if model in known and model not in scale.models:
        missing.append(f"model {model} mapped by scale {scale.name}")
    return missing


def missing_for(spec: RunSpec, scale: Scale, desc=None) -> list:
    """What a run still waits for at `scale` (empty: it can be trained)."""
    return missing_model_data(spec.capabilities(), spec.model, spec.dataset, scale,
                              capabilities(desc))


def benchmark_missing(bench: Benchmark, model: str, scale: Scale, known: frozenset) -> list:
    """What one job of a [benchmark] (a model, or latency's placement) waits for at a scale."""
    if bench.command == "latency":   # model is a placement of the two ranks
        return [c for c in (BENCHMARK_COMMANDS[bench.command], model) if c not in known]
    needs = (BENCHMARK_COMMANDS[bench.command], model, bench.dataset)
    return missing_model_data(needs, model, bench.dataset, scale, known)


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
