"""Experiment grids: which training runs a table needs, and how each run is configured.

A *scale* is a directory configs/<scale>/ holding one or more base configs (trainer TOML
files) and one or more grid files named *-grid.toml. A grid file looks like:

    title = "..."
    base_config = "fashion-mnist.toml"   # relative to the grid file
    seeds = [1, 2]

    [[variant]]
    name = "local-k4-b32-h4"             # directory name of its runs; unique per scale
    label = "Local SGD, H=4"             # what the table shows
    kind = "local"                       # algorithm.kind: minibatch | local | postlocal
    workers = 4                          # algorithm.workers (K)
    local_batch = 32                     # algorithm.local_batch (B_loc)
    local_steps = 4                      # algorithm.local_steps (H)
    overrides = { "schedule.warmup_epochs" = 0 }   # optional: any other section.key

Runs live at results/<scale>/runs/<variant>/seed<seed>/, so a variant named in several grids
of one scale is trained once; the Registry checks that such repeats are identical.

This module has no Snakemake dependency: the Snakefile, tables.py and the tests import it.
Needs Python >= 3.11 (tomllib).
"""
from __future__ import annotations

import math
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

# Keys of a [[variant]] table that map straight onto [algorithm] keys of the trainer config.
ALGORITHM_KEYS = ("kind", "workers", "local_batch", "local_steps")
VARIANT_KEYS = {"name", "label", "overrides", *ALGORITHM_KEYS}
KINDS = ("minibatch", "local", "postlocal")
ALGORITHM_NAMES = {
    "minibatch": "mini-batch SGD",
    "local": "local SGD",
    "postlocal": "post-local SGD",
}
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
OVERRIDE_KEY_RE = re.compile(r"^[a-z_]+\.[a-z_]+$")
GRID_SUFFIX = "-grid.toml"


class GridError(ValueError):
    """A grid file is malformed; the message names the file and the problem."""


def toml_value(value) -> str:
    """Formats a Python value as a TOML value, for the trainer's --set section.key=value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise GridError(f"non-finite number {value!r} in an override")
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise GridError(f"cannot pass {value!r} ({type(value).__name__}) as an override")


@dataclass(frozen=True)
class Variant:
    name: str
    label: str
    kind: str
    workers: int
    local_batch: int
    local_steps: int
    base_config: Path
    overrides: tuple = ()  # (("section.key", value), ...), in file order

    @property
    def algorithm(self) -> str:
        return ALGORITHM_NAMES[self.kind]

    @property
    def global_batch(self) -> int:
        return self.workers * self.local_batch

    def set_args(self, seed: int | None = None) -> list[str]:
        """The "section.key=value" overrides of this variant (and of run.seed if given)."""
        pairs = [(f"algorithm.{k}", getattr(self, k)) for k in ALGORITHM_KEYS]
        pairs += list(self.overrides)
        if seed is not None:
            pairs.append(("run.seed", int(seed)))
        return [f"{key}={toml_value(value)}" for key, value in pairs]

    def set_command_line(self, seed: int | None = None, extra: dict | None = None) -> str:
        """The --set arguments, quoted for a POSIX shell."""
        args = self.set_args(seed)
        args += [f"{k}={toml_value(v)}" for k, v in (extra or {}).items()]
        return " ".join(f"--set {shlex.quote(a)}" for a in args)


@dataclass(frozen=True)
class Grid:
    name: str  # file name without .toml, e.g. "first-grid"; names the table
    path: Path
    title: str
    seeds: tuple
    variants: tuple  # of Variant, in file order

    def runs(self):
        """(variant, seed) for every training run of the grid."""
        return [(v, s) for v in self.variants for s in self.seeds]


def _require(cond: bool, path: Path, message: str) -> None:
    if not cond:
        raise GridError(f"{path}: {message}")


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def load_grid(path) -> Grid:
    """Reads and checks one grid file."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise GridError(f"{path}: {e}") from e

    known = {"title", "base_config", "seeds", "variant"}
    unknown = sorted(set(data) - known)
    _require(not unknown, path, f"unknown top-level keys {unknown}")
    _require(isinstance(data.get("base_config"), str), path, "base_config (a file name) is required")
    base_config = (path.parent / data["base_config"]).resolve()
    _require(base_config.is_file(), path, f"base_config {data['base_config']!r} not found")
    seeds = data.get("seeds")
    _require(isinstance(seeds, list) and seeds and all(_is_int(s) and s >= 0 for s in seeds),
             path, "seeds must be a non-empty list of non-negative integers")
    _require(len(set(seeds)) == len(seeds), path, "seeds repeat")
    raw_variants = data.get("variant")
    _require(isinstance(raw_variants, list) and raw_variants, path,
             "at least one [[variant]] is required")

    variants = []
    for i, raw in enumerate(raw_variants):
        where = f"variant #{i + 1}"
        unknown = sorted(set(raw) - VARIANT_KEYS)
        _require(not unknown, path, f"{where}: unknown keys {unknown}")
        for key in ("name", "label", *ALGORITHM_KEYS):
            _require(key in raw, path, f"{where}: '{key}' is required")
        name = raw["name"]
        where = f"variant {name!r}"
        _require(isinstance(name, str) and NAME_RE.match(name) is not None, path,
                 f"{where}: name must be letters, digits, '.', '_' or '-'")
        _require(isinstance(raw["label"], str) and raw["label"].strip(), path,
                 f"{where}: label must be a non-empty string")
        _require(raw["kind"] in KINDS, path, f"{where}: kind must be one of {KINDS}")
        for key in ("workers", "local_batch", "local_steps"):
            _require(_is_int(raw[key]) and raw[key] >= 1, path,
                     f"{where}: {key} must be a positive integer")
        overrides = raw.get("overrides", {})
        _require(isinstance(overrides, dict), path, f"{where}: overrides must be a table")
        for key, value in overrides.items():
            _require(OVERRIDE_KEY_RE.match(key) is not None, path,
                     f"{where}: override key {key!r} is not 'section.key'")
            _require(key not in {f"algorithm.{k}" for k in ALGORITHM_KEYS} and key != "run.seed",
                     path, f"{where}: {key} is set by the variant itself / the seed list")
            toml_value(value)  # checks that it can be passed on
        variants.append(Variant(
            name=name, label=raw["label"], kind=raw["kind"], workers=raw["workers"],
            local_batch=raw["local_batch"], local_steps=raw["local_steps"],
            base_config=base_config, overrides=tuple(overrides.items())))
    names = [v.name for v in variants]
    dupes = sorted({n for n in names if names.count(n) > 1})
    _require(not dupes, path, f"variant names repeat: {dupes}")

    return Grid(name=path.name[: -len(".toml")], path=path,
                title=data.get("title", path.stem), seeds=tuple(seeds), variants=tuple(variants))


def grid_paths(configs_dir, scale: str) -> list[Path]:
    """The grid files of a scale: configs/<scale>/*-grid.toml, sorted by name."""
    scale_dir = Path(configs_dir) / scale
    if not scale_dir.is_dir():
        raise GridError(f"unknown scale {scale!r}: {scale_dir} is not a directory")
    return sorted(scale_dir.glob("*" + GRID_SUFFIX))


@dataclass
class Registry:
    """All grids of one scale, and every variant by name (for the training rule)."""
    scale: str
    grids: dict = field(default_factory=dict)     # grid name -> Grid
    variants: dict = field(default_factory=dict)  # variant name -> Variant

    def add(self, grid: Grid) -> None:
        if grid.name in self.grids:
            raise GridError(f"{grid.path}: grid {grid.name!r} defined twice")
        for v in grid.variants:
            seen = self.variants.get(v.name)
            if seen is not None and seen != v:
                raise GridError(f"{grid.path}: variant {v.name!r} differs from the variant of "
                                f"the same name in another grid of scale {self.scale!r}")
            self.variants[v.name] = v
        self.grids[grid.name] = grid


def load_registry(configs_dir, scale: str, only=None) -> Registry:
    """Loads the grids of `scale` (all of them, or those named in `only`)."""
    paths = grid_paths(configs_dir, scale)
    if only:
        wanted = list(only)
        by_name = {p.name[: -len(".toml")]: p for p in paths}
        missing = [g for g in wanted if g not in by_name]
        if missing:
            raise GridError(f"scale {scale!r} has no grids {missing}; it has {sorted(by_name)}")
        paths = [by_name[g] for g in wanted]
    if not paths:
        raise GridError(f"scale {scale!r} has no *{GRID_SUFFIX} files in {Path(configs_dir) / scale}")
    registry = Registry(scale=scale)
    for p in paths:
        registry.add(load_grid(p))
    return registry


def run_dir(results_dir, scale: str, variant: str, seed: int) -> Path:
    return Path(results_dir) / scale / "runs" / variant / f"seed{seed}"
