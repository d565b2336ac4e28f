"""Every experiment at one scale: build() loads the declarations and the scale, decides each
experiment's Status (readiness.py) and resolves its trainable runs (variants.py); the
ScaleRegistry answers the Snakefile's questions (tables, figures, benchmarks, runs)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .analyses import ANALYSIS_COMMANDS, AnalysisJob
from .common import RegistryError, description, is_int, load_toml, req
from .declarations import load_experiments
from .readiness import (FIGURE_ANALYSES, TABLE_ANALYSES, Status, benchmark_missing,
                        capabilities, missing_for)
from .scales import Scale, load_scale
from .variants import resolve


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
        return [(label, v) for label, _, v in self.panel_cells(exp_id, panel)]

    def panel_cells(self, exp_id, panel) -> list:
        """(label, RunSpec, variant) per trainable run a panel draws, in declaration order; an
        interpolation's (from, to), or nothing while either end cannot be trained."""
        out = []
        for spec, v, _ in self.statuses[exp_id].cells:
            if v is None or not panel.selects(spec.row):
                continue
            label = spec.row + (f" {spec.col}" if spec.col else "")
            out.append((label.replace("=", ":"), spec, v))
        if panel.ends:
            out = sorted(out, key=lambda c: panel.ends.index(c[1].row))
            return out if len(out) == 2 else []
        return out

    def panel_jobs(self, target) -> list:
        """The AnalysisJobs whose outputs a figure target (e.g. figure4a) draws: one per row,
        or the one interpolation between its two rows; none for curves, bars, lines."""
        exp_id, panel = self.panel(target)
        if panel.analysis not in ANALYSIS_COMMANDS:   # curves, bars, lines; the runs' records
            return []
        command = ANALYSIS_COMMANDS[panel.analysis]
        cells = self.panel_cells(exp_id, panel)
        if command == "interpolate":
            if not cells:
                return []
            (_, _, a), (_, _, b) = cells
            return [AnalysisJob(command, f"{a.name}--{b.name}", (a, b))]
        variants = {v.name: v for _, _, v in cells}   # (variants hold lists: unhashable)
        return [AnalysisJob(command, name, (v,)) for name, v in variants.items()]

    def analysis_jobs(self) -> list:
        """Every AnalysisJob of the scale's drawable figures, each once: panels, of one figure
        or of several, that draw the same command of the same runs share its job (the settings
        are the scale's, the same for every figure)."""
        jobs = {(j.command, j.name): j for t in self.figures() for j in self.panel_jobs(t)}
        return list(jobs.values())

    def analysis_job(self, command, name) -> AnalysisJob:
        """The job results/<scale>/analysis/<command>/<name> stands for, or KeyError."""
        for j in self.analysis_jobs():
            if (j.command, j.name) == (command, name):
                return j
        raise KeyError(f"{command}/{name}")

    def panel_target(self, target) -> float:
        """The suboptimality a plot = "suboptimality" panel's cells reach: the scale's
        [targets] entry for its figure, else the panel's own."""
        exp_id, panel = self.panel(target)
        return float((self.scale.targets or {}).get(exp_id, panel.target))

    def suboptimality_target(self, exp_id) -> float:
        """The target of a figure's plot = "suboptimality" panels (its first one's, or the
        scale's [targets] entry): what a time_to_suboptimality claim races to."""
        panel = next(p for p in self.experiments[exp_id].panels if p.plot == "suboptimality")
        return self.panel_target(exp_id + panel.suffix)

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


def _check_blocks(e, spec, variant, scale, desc):
    """A run whose kind takes algorithm.block_size: its blocks must cut its K workers into
    equal parts. The trained run's effective settings (every override applied, the last one
    winning, as the trainer's --set does) when it resolves at this scale, else the declared."""
    if spec.algorithm not in desc.algorithms or not desc.takes(spec.algorithm,
                                                                "algorithm.block_size"):
        return
    if variant is not None:
        eff = dict(variant.overrides)
        workers, block = eff.get("algorithm.workers"), eff.get("algorithm.block_size", 0)
        what = f"run {variant.name!r}"
    else:
        workers, block = spec.workers, spec.block_size
        what = f"run {spec.row!r}" + (f" / {spec.col!r}" if spec.col else "")
    if is_int(block) and block > 0 and is_int(workers) and workers % block != 0:
        raise RegistryError(f"{e.path}: {what} at scale {scale.name!r}: block_size {block} "
                            f"does not divide workers {workers} (blocks of block_size "
                            "consecutive workers must cover all K)")


def _check_select(scale, exps):
    """Every [select] names a declared experiment, and each value it keeps is one of a run's:
    a value no run has is a typo that would silently drop the whole axis."""
    for exp_id, keys in (scale.select or {}).items():
        req(exp_id in exps, scale.path, f"select.{exp_id}: no such experiment is declared")
        for k, allowed in keys:
            declared = {getattr(r, k) for r in exps[exp_id].runs}
            stray = sorted(allowed - declared)
            req(not stray, scale.path, f"select.{exp_id}.{k}: {stray} is not a value of its runs "
                f"(they have {sorted(declared)})")


_train_subsets = {}   # base config path -> its data.train_subset


def _exceeds_training_set(v) -> str:
    """What a run waits for when one of its steps (K x B_loc samples, times schedule.batch_factor
    after a batch switch) exceeds its training set (data.train_subset after its overrides), which
    the trainer refuses; "" when it fits."""
    if v is None:
        return ""
    if v.base_config not in _train_subsets:
        _train_subsets[v.base_config] = load_toml(v.base_config).get("data", {}).get("train_subset", 0)
    overrides = dict(v.overrides)
    subset = overrides.get("data.train_subset", _train_subsets[v.base_config])
    factor = overrides.get("schedule.batch_factor", 1)
    step = v.workers * v.local_batch * factor
    if not is_int(subset) or subset <= 0 or step <= subset:
        return ""
    by = " x schedule.batch_factor" if factor != 1 else ""
    return f"a training set of at least K x B_loc{by} = {step} images (data.train_subset = {subset})"


def _status(e, scale, desc, known) -> Status:
    """The Status of one experiment at a scale, its ready runs resolved."""
    exp_missing = [n for n in e.needs if n not in known]
    done = FIGURE_ANALYSES if e.kind == "figure" else TABLE_ANALYSES
    exp_missing += [a for a in e.analyses if a not in done]
    if e.kind == "figure" and scale.analysis is None and any(a in ANALYSIS_COMMANDS
                                                             for a in e.analyses):
        exp_missing.append(f"[analysis] in configs/scales/{scale.name}.toml (sizes the "
                           "Hessian, interpolation and sharpness jobs)")
    if e.kind == "figure" and not e.panels and not exp_missing:
        exp_missing.append("[[panels]] in its declaration")
    cells, run_missing, bench_cells = [], [], []
    for spec in (r for r in e.runs if scale.selects(e.id, r)):
        m = missing_for(spec, scale, desc)
        run_missing += m
        v = None if (m or exp_missing) else resolve(spec, scale, desc)
        too_big = _exceeds_training_set(v)
        if too_big:   # the trainer would refuse it: the cell waits, named, instead
            m, v = m + [too_big], None
            run_missing.append(too_big)
        _check_blocks(e, spec, v, scale, desc)
        cells.append((spec, v, m))
    if e.benchmark:
        for model in e.benchmark.models:
            m = benchmark_missing(e.benchmark, model, scale, known)
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
    return Status(e, state, missing, cells, bench_cells)


def build(configs_dir, scale_name, desc=None) -> ScaleRegistry:
    """The registry of scale `scale_name` (configs_dir/scales/<name>.toml) over every
    declaration of configs_dir/experiments/. `desc`: the trainer's description
    (trainer_description.load(...); default: the committed workflow/trainer_description.json)."""
    desc = description(desc)
    scale = load_scale(configs_dir, scale_name, desc)
    exps = load_experiments(configs_dir, desc)
    if scale.experiments is not None:
        unknown = [e for e in scale.experiments if e not in exps]
        req(not unknown, scale.path, f"experiments {unknown} are not declared")
    _check_select(scale, exps)
    for exp_id in scale.targets or {}:
        req(exp_id in exps and any(p.plot == "suboptimality" for p in exps[exp_id].panels),
            scale.path, f"targets.{exp_id}: not a declared figure with a plot = \"suboptimality\" panel")
    known = capabilities(desc)
    statuses, variants = {}, {}
    for e in exps.values():
        if scale.experiments is not None and e.id not in scale.experiments:
            statuses[e.id] = Status(e, "not-at-scale", [])
            continue
        st = statuses[e.id] = _status(e, scale, desc, known)
        if st.state in ("ready", "partial"):
            for v in st.variants():
                seen = variants.get(v.name)
                if seen is not None and seen != v:
                    raise RegistryError(f"{e.path}: run {v.name!r} resolves differently in two "
                                        f"experiments at scale {scale.name!r}")
                variants[v.name] = v
    return ScaleRegistry(scale=scale, experiments=exps, statuses=statuses, variants=variants)
