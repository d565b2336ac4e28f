"""configs/scales/<scale>.toml: how a scale maps the declarations onto trainer runs, parsed and
checked into a Scale.

A scale (configs/scales/small.toml) names a base trainer config, seeds, factors, trainer
overrides for every run, and the dataset roles and models it maps. Adding a scale is a file.
With `mpi_workers = [2, 16]` its runs of K = 2 and 16 workers train as K MPI ranks (the
Snakefile's rule train_mpi: mpirun locally, srun --mpi=pmix through the slurm/ profile) and
report measured times; the others simulate their workers in one process.

Every override key ([trainer], datasets.<role>.overrides, models.<model>.overrides) must be a
key of the trainer's description; its value is the trainer's to check.

A model of another kind than the scale's base config describes (logistic regression beside the
ResNets) names its own file, `models.<model>.base_config`; its runs start from that file and
take its overrides but none of [trainer], which adapts the scale's base config (its sizes, its
model's compute calibration). `models.<model>.epochs` and `.lr` replace the scale's for it.

A dataset role the workflow makes from data on the machine names its maker,
`datasets.<role>.generated = "<maker>"` (generated_data.py: e.g. the LIBSVM stand-in for w8a);
its runs read the files rule generated_data writes under results/<scale>/data/<maker>/.

A scale can `extends = "<other scale>"`: it starts from that scale's file and replaces its
top-level keys (a tier: small-full is small with every declaration). `[select.<experiment>]`
keeps only the runs of that experiment whose declared values are listed, e.g. Table 1's grid
cut to `workers = [1, 4, 16]` and `local_steps = [1, 4, 16]` (mini-batch runs have H = 1).
`[targets]` replaces the suboptimality target of a figure's plot = "suboptimality" panels
(panels.py) where the scale's runs are too short for the declared one (the smoke scale's).

The [analysis] table sizes the localsgd-analyze jobs of Figures 4, 13 and 14 (Hessian,
interpolation, sharpness of the trained models; its keys are in analyses.py); a scale without
it leaves those figures waiting.
"""
from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .analyses import AnalysisSettings, load_analysis_settings
from .common import RegistryError, description, is_int, is_num, load_toml, req, toml_value
from .generated_data import GENERATED_DATA

OVERRIDE_KEY_RE = re.compile(r"^[a-z_]+\.[a-z_]+$")
SCALE_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")   # the Snakefile's {scale} wildcard
SCALE_KEYS = {"name", "description", "base_config", "seeds", "local_batch_factor", "epochs",
              "lr", "experiments", "trainer", "datasets", "models", "paths_file",
              "paths_example", "mpi_workers", "analysis", "extends", "select", "targets"}
SELECT_KEYS = ("workers", "local_batch", "local_steps", "block_size", "block_steps")
MODEL_KEYS = {"overrides", "epochs", "lr", "base_config"}
DATASET_KEYS = {"name", "overrides", "path_key", "generated"}


@dataclass(frozen=True)
class ModelMapping:
    """How a scale runs one model: its overrides, and what it replaces of the scale's."""
    overrides: tuple            # (("section.key", value), ...)
    epochs: float | None = None   # run.epochs instead of the scale's
    lr: float | None = None       # optimizer.lr (before lr_factor) instead of the scale's
    base_config: Path | None = None   # its own base config: none of the scale's [trainer]


@dataclass(frozen=True)
class DatasetMapping:
    """What a dataset role is at a scale: the trainer's dataset and the overrides that load it."""
    name: str
    overrides: tuple
    generated: str = ""         # the maker of its files (generated_data.py), "" if on disk


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
    datasets: dict              # role -> DatasetMapping
    models: dict                # model -> ModelMapping
    mpi_workers: tuple = ()     # runs with these K train as K MPI ranks (rule train_mpi)
    analysis: AnalysisSettings | None = None   # [analysis]: sizes of the analysis jobs
    select: dict = None        # experiment -> ((run key, allowed values), ...)
    targets: dict = None       # figure id -> the suboptimality its panels reach ([targets])

    def base_config_of(self, model) -> Path:
        """The trainer config a model's runs and benchmarks start from: its own, else the scale's."""
        return self.models[model].base_config or self.base_config

    def selects(self, exp_id, spec) -> bool:
        """Whether the run `spec` of experiment `exp_id` is run at this scale ([select])."""
        return all(getattr(spec, k) in allowed for k, allowed in (self.select or {}).get(exp_id, ()))


def _overrides(d, path, where, desc):
    """Trainer overrides ("section.key" = value), checked: keys the trainer has, TOML values."""
    req(isinstance(d, dict), path, f"{where} must be a table")
    for k, v in d.items():
        req(OVERRIDE_KEY_RE.match(k) is not None, path, f"{where}: key {k!r} is not 'section.key'")
        if k not in desc.keys:
            close = difflib.get_close_matches(k, list(desc.keys), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise RegistryError(f"{path}: {where}: {k!r} is not a key of the trainer{hint}; "
                                f"its keys are in {desc.path}")
        toml_value(v)
    return tuple(d.items())


def _with_extended(d, path, name):
    """A scale's keys over those of the scale it extends (one level: that one may not extend)."""
    if "extends" not in d:
        return d
    other = d["extends"]
    base_path = path.parent / f"{other}.toml"
    req(isinstance(other, str) and SCALE_NAME_RE.match(other) and other != name
        and base_path.is_file(), path, f"extends = {other!r}: no scale file {base_path}")
    base = load_toml(base_path)
    req("extends" not in base, path, f"extends {other!r}, which extends another scale itself")
    merged = {k: v for k, v in base.items() if k != "description"}
    merged.update({k: v for k, v in d.items() if k != "extends"})
    return merged


def _select(d, path) -> dict:
    """[select.<experiment>]: run key -> the declared values kept, checked."""
    req(isinstance(d, dict), path, "select must be a table of experiments")
    out = {}
    for exp_id, keys in d.items():
        req(isinstance(keys, dict) and keys, path, f"select.{exp_id} must be a table of run keys")
        for k, values in keys.items():
            req(k in SELECT_KEYS, path, f"select.{exp_id}.{k}: not one of {', '.join(SELECT_KEYS)}")
            req(isinstance(values, list) and values and all(is_int(v) for v in values), path,
                f"select.{exp_id}.{k}: a non-empty list of integers")
        out[exp_id] = tuple((k, frozenset(v)) for k, v in keys.items())
    return out


def load_scale(configs_dir, name, desc=None) -> Scale:
    """configs_dir/scales/<name>.toml, checked; `desc`: the trainer's description (default:
    the committed one), whose keys the overrides must be."""
    desc = description(desc)
    path = Path(configs_dir) / "scales" / f"{name}.toml"
    if not SCALE_NAME_RE.match(name) or not path.is_file():
        known = sorted(p.stem for p in (Path(configs_dir) / "scales").glob("*.toml"))
        raise RegistryError(f"unknown scale {name!r}: no {path}; known scales: "
                            f"{', '.join(known) or 'none'}")
    d = _with_extended(load_toml(path), path, name)
    unknown = sorted(set(d) - SCALE_KEYS)
    req(not unknown, path, f"unknown keys {unknown}")
    req(d.get("name") == name, path, f"name must equal the file name ({name!r})")
    req(isinstance(d.get("base_config"), str), path, "base_config is required")
    base = (path.parent / d["base_config"]).resolve()
    req(base.is_file(), path, f"base_config {d['base_config']!r} not found")
    seeds = d.get("seeds")
    req(isinstance(seeds, list) and seeds and all(is_int(s) and s >= 0 for s in seeds)
        and len(set(seeds)) == len(seeds), path, "seeds: a non-empty list of distinct integers >= 0")
    for k in ("local_batch_factor", "epochs", "lr"):
        req(is_num(d.get(k)) and d[k] > 0, path, f"{k} must be a positive number")
    mpi = d.get("mpi_workers", [])
    req(isinstance(mpi, list) and all(is_int(k) and k >= 2 for k in mpi), path,
        "mpi_workers: a list of worker counts K >= 2 (those runs train as K MPI ranks)")
    exps = d.get("experiments")
    exps = None if exps == "all" else exps   # a tier that extends a selection undoes it
    req(exps is None or (isinstance(exps, list) and all(isinstance(e, str) for e in exps)),
        path, "experiments must be a list of ids or \"all\"")
    paths = {}
    if "paths_file" in d:
        pf = path.parent / d["paths_file"]
        example = path.parent / d.get("paths_example", d["paths_file"] + ".example")
        if pf.is_file():
            paths = load_toml(pf).get("paths", {})
        elif example.is_file():
            paths = load_toml(example).get("paths", {})
            print(f"registry: scale {name!r}: {pf.name} not found, using the placeholder paths "
                  f"of {example.name} (copy it and edit the paths to run this scale)",
                  file=sys.stderr)
    datasets = {}
    for role, m in d.get("datasets", {}).items():
        req(isinstance(m, dict) and isinstance(m.get("name"), str), path,
            f"datasets.{role}: needs name = <dataset>")
        unknown = sorted(set(m) - DATASET_KEYS)
        req(not unknown, path, f"datasets.{role}: unknown keys {unknown}")
        ov = dict(m.get("overrides", {}))
        if "path_key" in m:
            req(m["path_key"] in paths, path,
                f"datasets.{role}: path_key {m['path_key']!r} not in the paths file")
            ov["data.path"] = paths[m["path_key"]]
        made = m.get("generated", "")
        req(made == "" or made in GENERATED_DATA, path, f"datasets.{role}: generated = {made!r} "
            f"is not a maker of the workflow ({', '.join(sorted(GENERATED_DATA))})")
        req(not (made and "data.path" in ov), path,
            f"datasets.{role}: generated data has its path from the workflow; no data.path")
        datasets[role] = DatasetMapping(m["name"], _overrides(ov, path, f"datasets.{role}.overrides",
                                                             desc), made)
    models = {}
    for model, m in d.get("models", {}).items():
        req(isinstance(m, dict), path, f"models.{model} must be a table")
        unknown = sorted(set(m) - MODEL_KEYS)
        req(not unknown, path, f"models.{model}: unknown keys {unknown}")
        for k in ("epochs", "lr"):
            req(m.get(k) is None or (is_num(m[k]) and m[k] > 0), path,
                f"models.{model}.{k}: a number > 0")
        own = None
        if "base_config" in m:
            own = (path.parent / str(m["base_config"])).resolve()
            req(isinstance(m["base_config"], str) and own.is_file(), path,
                f"models.{model}.base_config {m['base_config']!r} not found")
        models[model] = ModelMapping(
            _overrides(m.get("overrides", {}), path, f"models.{model}.overrides", desc),
            epochs=m.get("epochs"), lr=m.get("lr"), base_config=own)
    select = _select(d.get("select", {}), path)
    targets = d.get("targets", {})
    req(isinstance(targets, dict) and all(is_num(v) and v > 0 for v in targets.values()), path,
        "targets: a table of figure ids and suboptimality targets > 0, e.g. { figure6 = 0.1 }")
    return Scale(name=name, path=path, description=d.get("description", ""), base_config=base,
                 seeds=tuple(seeds), local_batch_factor=float(d["local_batch_factor"]),
                 epochs=float(d["epochs"]), lr=float(d["lr"]),
                 experiments=tuple(exps) if exps is not None else None,
                 trainer=_overrides(d.get("trainer", {}), path, "trainer", desc),
                 datasets=datasets, models=models, mpi_workers=tuple(mpi),
                 analysis=load_analysis_settings(d, path), select=select, targets=targets)


def scale_names(configs_dir) -> list:
    return sorted(p.stem for p in (Path(configs_dir) / "scales").glob("*.toml"))
