"""The [[runs]] blocks of a declaration: each block is the product over its list-valued keys,
one RunSpec per combination, in scale-free terms (see declarations.py for the keys).

Which of local_steps, block_size, block_steps, switch_fraction and warmup_fraction a run may set is decided by
the trainer's description: a kind takes a run key when it lists the trainer key that the run
key sets (KIND_KEYS). An algorithm the trainer does not describe must be one of
PLANNED_ALGORITHMS (not built yet: its runs wait for it, readiness.py); any other name is a
typo and refused, naming the known ones."""
from __future__ import annotations

import dataclasses
import difflib
import itertools
from dataclasses import dataclass

from .common import RegistryError, description, is_int, is_num, req

RUN_KEYS = {"row", "col", "algorithm", "workers", "local_batch", "local_steps", "block_size",
            "block_steps", "model", "dataset", "epochs_factor", "lr_factor", "switch_fraction", "warmup_fraction",
            "global_delay", "momentum", "needs", "options", "config", "start_from"}
RUN_REQUIRED = ("row", "algorithm", "workers", "local_batch", "model", "dataset")
# A run key that only some kinds take -> the trainer key it sets (variants.py).
KIND_KEYS = {"local_steps": "algorithm.local_steps", "block_size": "algorithm.block_size",
             "block_steps": "algorithm.block_steps", "switch_fraction": "algorithm.switch_epoch",
             "warmup_fraction": "algorithm.local_steps_warmup_epochs"}
# Run keys a kind that takes them must be given: they name the run (-bs, -hb).
KIND_KEYS_REQUIRED = ("block_size", "block_steps")
# Algorithms the declarations name that the trainer does not implement yet (none today): their
# runs are listed as "waiting for: <name>". A name neither here nor in the trainer's description
# (workflow/trainer_description.json, `localsgd-train --describe`) is refused as a typo.
PLANNED_ALGORITHMS = ()
# Trainer keys a run's `config` table may not set: the run keys, the scale and the kind's
# options set them. Of [data], only the training regime's keys (how batches are sampled and
# labelled, how the evaluated model's BN statistics are taken) are a run's; the scale owns the rest.
CONFIG_OWNED_SECTIONS = ("data.", "model.", "algorithm.")
CONFIG_REGIME_KEYS = ("data.sampling", "data.label_noise", "data.bn_recompute_batches")
CONFIG_OWNED_KEYS = ("run.epochs", "run.seed", "optimizer.lr", "optimizer.momentum", "comm.global_delay")


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
    options: tuple = ()   # (("slow_momentum", 0.5), ...): the kind's own algorithm.* keys
    config: tuple = ()    # (("optimizer.noise_eta", 1e-5), ...): other trainer keys the run sets
    warmup_fraction: float | None = None   # local-step warm-up over this fraction of training
    momentum: float | None = None   # the local optimizer's momentum (None: the base config's)
    # The run whose saved model (same seed) this one starts from (run.init_from), e.g. Gu et al.'s
    # post-local SGD from a mini-batch SGD checkpoint; set by link_starts() from `start_from`.
    start_from: "RunSpec | None" = None
    start_row: str = ""   # the declaration's start_from: the row of that run

    def capabilities(self) -> tuple:
        start = self.start_from.capabilities() if self.start_from else ()
        return tuple(dict.fromkeys((self.algorithm, self.model, self.dataset, *self.needs, *start)))


def takes(desc, algorithm: str, run_key: str) -> bool:
    """Whether a described kind takes one of the KIND_KEYS of a run."""
    return desc.takes(algorithm, KIND_KEYS[run_key])


def check_algorithm(alg: str, desc, path, where):
    """A run's algorithm: a kind the trainer describes or a PLANNED_ALGORITHMS name."""
    if alg in desc.algorithms or alg in PLANNED_ALGORITHMS:
        return
    close = difflib.get_close_matches(alg, [*desc.algorithms, *PLANNED_ALGORITHMS], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise RegistryError(
        f"{path}: {where}: unknown algorithm {alg!r}{hint}; known algorithms: "
        f"{', '.join(desc.algorithms)} (the trainer's, {desc.path.name})"
        + (f" and, not built yet, {', '.join(PLANNED_ALGORITHMS)} (PLANNED_ALGORITHMS in "
           "workflow/experiment_registry/run_blocks.py)" if PLANNED_ALGORITHMS else ""))


def _check_kind_keys(d: dict, desc, path, where):
    """The kind-specific keys of one run against what its kind takes."""
    alg = d["algorithm"]
    if alg not in desc.algorithms:
        return
    if not takes(desc, alg, "local_steps"):
        req(d.get("local_steps", 1) == 1, path,
            f"{where}: {alg} has H = 1 (it takes no {KIND_KEYS['local_steps']})")
    for k in KIND_KEYS:
        if k != "local_steps" and k in d:
            req(takes(desc, alg, k), path,
                f"{where}: {k} is not for {alg} (it takes no {KIND_KEYS[k]})")
    for k in KIND_KEYS_REQUIRED:
        if takes(desc, alg, k):
            req(k in d, path, f"{where}: {alg} needs {k}")


OPTION_AXIS = "options."   # prefix of an option's axis while a block is expanded
CONFIG_AXIS = "config."    # and of a config key's


def _check_config(config, desc, path, where):
    """A run's config: trainer keys the description lists, outside what the run keys, the
    scale and the options set, each with a value of the key's type."""
    types = {"integer": is_int, "float": is_num, "boolean": lambda v: isinstance(v, bool),
             "string": lambda v: isinstance(v, str)}
    for k, v in config:
        req(k in desc.keys, path, f"{where}: config.{k} is not a trainer key ({desc.path.name})")
        owned = (k.startswith(CONFIG_OWNED_SECTIONS) and k not in CONFIG_REGIME_KEYS) or k in CONFIG_OWNED_KEYS
        req(not owned, path,
            f"{where}: config.{k} is set by the run keys, the scale or options, not config")
        kind = desc.keys[k].type
        req(kind in types and types[kind](v), path, f"{where}: config.{k} must be a {kind}")


def _check_options(alg, opts, desc, path, where):
    """A run's options: keys its kind describes as its own (not the run keys' trainer keys),
    values a number, string or boolean."""
    if not opts:
        return
    req(alg in desc.algorithms, path, f"{where}: options are for a built algorithm ({alg} is not)")
    own = sorted(k[len("algorithm."):] for k in desc.algorithms[alg].keys
                 if k not in KIND_KEYS.values())
    for k, v in opts:
        req(k in own, path, f"{where}: options.{k} is not a key of {alg} (its own keys: "
            f"{own or 'none'})")
        req(isinstance(v, (int, float, str, bool)), path,
            f"{where}: options.{k} must be a number, string or boolean")


def expand_block(raw: dict, path, where, desc=None) -> list:
    """The RunSpecs of one [[runs]] block, checked."""
    desc = description(desc)
    unknown = sorted(set(raw) - RUN_KEYS)
    req(not unknown, path, f"{where}: unknown keys {unknown}")
    for k in RUN_REQUIRED:
        req(k in raw, path, f"{where}: '{k}' is required")
    needs = raw.get("needs", [])
    req(isinstance(needs, list) and all(isinstance(n, str) for n in needs), path,
        f"{where}: needs must be a list of strings")
    options = raw.get("options", {})
    req(isinstance(options, dict), path,
        f"{where}: options must be a table of the algorithm's own keys, e.g. "
        "options = { slow_momentum = 0.5 }")
    config = raw.get("config", {})
    req(isinstance(config, dict), path,
        f"{where}: config must be a table of trainer keys, e.g. config = {{ \"optimizer.noise_eta\" = 1e-5 }}")
    start_row = raw.get("start_from", "")
    req(isinstance(start_row, str), path, f"{where}: start_from must be the row of another run")
    axes = {k: (v if isinstance(v, list) else [v]) for k, v in raw.items()
            if k not in ("row", "col", "needs", "options", "config", "start_from")}
    # An option or config key with a list of values declares one run per value, like the other keys.
    axes.update({OPTION_AXIS + k: (v if isinstance(v, list) else [v]) for k, v in options.items()})
    axes.update({CONFIG_AXIS + k: (v if isinstance(v, list) else [v]) for k, v in config.items()})
    for k, vs in axes.items():
        req(len(vs) > 0, path, f"{where}: {k} is an empty list")
    keys = list(axes)
    specs = []
    for combo in itertools.product(*(axes[k] for k in keys)):
        d = dict(zip(keys, combo))
        alg = d["algorithm"]
        req(isinstance(alg, str), path, f"{where}: algorithm must be a string")
        check_algorithm(alg, desc, path, where)
        for k in ("workers", "local_batch", "local_steps", "block_size", "block_steps"):
            if k in d:
                req(is_int(d[k]) and d[k] >= 1, path, f"{where}: {k} must be a positive integer")
        for k in ("epochs_factor", "lr_factor", "switch_fraction", "warmup_fraction", "global_delay"):
            if k in d:
                req(is_num(d[k]) and d[k] >= 0, path, f"{where}: {k} must be a number >= 0")
        if "momentum" in d:
            req(is_num(d["momentum"]) and 0 <= d["momentum"] < 1, path,
                f"{where}: momentum must be a number in [0, 1)")
        for k in ("model", "dataset"):
            req(isinstance(d[k], str) and d[k], path, f"{where}: {k} must be a string")
        _check_kind_keys(d, desc, path, where)
        opts = tuple(sorted((k[len(OPTION_AXIS):], v) for k, v in d.items()
                            if k.startswith(OPTION_AXIS)))
        _check_options(alg, opts, desc, path, where)
        sets = tuple((k[len(CONFIG_AXIS):], v) for k, v in d.items() if k.startswith(CONFIG_AXIS))
        _check_config(sets, desc, path, where)
        fields = dict(algorithm=alg, workers=d["workers"], local_batch=d["local_batch"],
                      local_steps=d.get("local_steps", 1), block_size=d.get("block_size", 0),
                      block_steps=d.get("block_steps", 1), model=d["model"],
                      dataset=d["dataset"], epochs_factor=float(d.get("epochs_factor", 1.0)),
                      lr_factor=float(d.get("lr_factor", 1.0)),
                      switch_fraction=d.get("switch_fraction"),
                      warmup_fraction=d.get("warmup_fraction"),
                      global_delay=float(d.get("global_delay", 0.0)),
                      momentum=float(d["momentum"]) if "momentum" in d else None)
        fmt = {**fields, "K": fields["workers"], "H": fields["local_steps"],
               "Hb": fields["block_steps"], "B": fields["local_batch"],
               "KB": fields["workers"] * fields["local_batch"], **dict(opts),
               **{k.rsplit(".", 1)[1]: v for k, v in sets}}
        try:
            row = raw["row"].format(**fmt)
            col = raw.get("col", "").format(**fmt)
        except (KeyError, IndexError, ValueError) as e:
            raise RegistryError(f"{path}: {where}: bad row/col template: {e}") from e
        specs.append(RunSpec(row=row, col=col, needs=tuple(needs), options=opts, config=sets,
                             start_row=start_row, **fields))
    return specs


def link_starts(specs: list, path) -> list:
    """Each run with a start_from gets the run of that row (exactly one, which starts from
    nothing itself): its model is where the run starts."""
    linked = []
    for spec in specs:
        if not spec.start_row:
            linked.append(spec)
            continue
        starts = [s for s in specs if s.row == spec.start_row]
        req(len(starts) == 1, path, f"run {spec.row!r}: start_from {spec.start_row!r} must be the row of exactly "
            f"one run of this declaration (found {len(starts)})")
        req(not starts[0].start_row, path, f"run {spec.row!r}: its start {spec.start_row!r} starts from another run")
        linked.append(dataclasses.replace(spec, start_from=starts[0]))
    return linked
