"""A run of a declaration at a scale: its RunVariant, a base config plus the trainer's --set
overrides, named by its effective settings so that the same run declared by several
experiments is trained once (results/<scale>/runs/<name>/seed<seed>/).

The name is <dataset>-<model>- (when the scale overrides them) then
<kind>-k<K>-b<B_loc>, -h<H> if the kind takes algorithm.local_steps, -bs<block_size> and
-hb<H^b> if it takes algorithm.block_size and algorithm.block_steps (the trainer's description
says which), then -<option><value> for each of its options (the kind's own keys, underscores
dropped: -slowmomentum0.5) and for each key of its config table (-noiseeta5e-06), -m<momentum> when the run sets the optimizer's, -e<epochs>, -lr<LR>, -wu<warm-up epochs>, -sw<switch epoch>, -d<delay> where they differ
from the scale's, -from-<name of the run it starts from> for a run started from another's saved
model, and -mpi for a run trained as MPI ranks."""
from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from .benchmarks import Benchmark
from .common import description, is_int, req, toml_value
from .run_blocks import KIND_KEYS, RunSpec, takes
from .scales import Scale

MPI_SUFFIX = "mpi"   # last part of the name of a run trained as MPI ranks (rule train_mpi)


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
    kind_keys: tuple = ()   # the algorithm.* keys only its kind uses (the trainer's description)
    start_from: str = ""    # the variant whose model.pt (same seed) it starts from: run.init_from
    data_maker: str = ""    # its dataset's maker (generated_data.py): data.path set per job

    def takes(self, key: str) -> bool:
        """Whether its kind uses the trainer key `key`, e.g. algorithm.block_steps."""
        return key in self.kind_keys

    def set_args(self, seed=None, init_from=None, data_path=None) -> list:
        """--set arguments; init_from: the path of the start_from run's model.pt (same seed);
        data_path: where its generated dataset was written (data_maker's first file)."""
        pairs = list(self.overrides)
        if seed is not None:
            pairs.append(("run.seed", int(seed)))
        if init_from:
            pairs.append(("run.init_from", str(init_from)))
        if data_path:
            pairs.append(("data.path", str(data_path)))
        return [f"{k}={toml_value(v)}" for k, v in pairs]

    def set_command_line(self, seed=None, init_from=None, data_path=None) -> str:
        return " ".join(f"--set {shlex.quote(a)}" for a in self.set_args(seed, init_from, data_path))


def run_dir(results_dir, scale: str, variant: str, seed: int) -> Path:
    """Where one training run writes: results/<scale>/runs/<variant>/seed<seed>/."""
    return Path(results_dir) / scale / "runs" / variant / f"seed{seed}"


def fmt_num(x) -> str:
    """Short, stable text of a number for variant names: 0.05, 5.3333, 300."""
    if is_int(x) or (isinstance(x, float) and x.is_integer()):
        return str(int(x))
    return f"{x:.4f}".rstrip("0").rstrip(".")


def option_tag(key, value) -> str:
    """An option's or config key's part of a variant name: slow_momentum = 0.5 ->
    slowmomentum0.5, optimizer.noise_eta = 5e-06 -> noiseeta5e-06 (small numbers keep their digits)."""
    if isinstance(value, (str, bool)):
        text = str(value).lower()
    elif value != 0 and abs(value) < 1e-3:
        text = f"{value:g}"
    else:
        text = fmt_num(value)
    return key.rsplit(".", 1)[-1].replace("_", "") + text


def model_and_data(model, dataset, scale: Scale) -> tuple:
    """(name parts, overrides) of a model on a dataset role at a scale, the scale's [trainer]
    overrides first (unless the model has a base config of its own), then the dataset's, then
    the model's: what a run and a benchmark of that model share."""
    ds, m = scale.datasets[dataset], scale.models[model]
    parts, over = [], [] if m.base_config else list(scale.trainer)
    if ds.overrides or ds.generated:
        parts.append(ds.name)
        over += ds.overrides
    if m.overrides or m.base_config:
        parts.append(model)
        over += m.overrides
    return parts, over


def benchmark_arguments(bench: Benchmark, model: str, scale: Scale) -> list:
    """localsgd-microbench's arguments after CONFIG for one model of a [benchmark] at a scale."""
    _, over = model_and_data(model, bench.dataset, scale)
    args = []
    for k, v in over:
        args += ["--set", f"{k}={toml_value(v)}"]
    if bench.batches:
        batches = [max(1, round(b * scale.local_batch_factor)) for b in bench.batches]
        args += ["--batches", ",".join(str(b) for b in dict.fromkeys(batches))]
    return args


def resolve(spec: RunSpec, scale: Scale, desc=None) -> RunVariant:
    """The trainer run of a (ready) run spec at a scale; its name encodes its settings.
    `desc`: the trainer's description (default: the committed one)."""
    desc = description(desc)
    req(spec.algorithm in desc.algorithms, desc.path, f"no algorithm {spec.algorithm!r}")
    mapping = scale.models[spec.model]
    model_epochs = mapping.epochs
    B = max(1, round(spec.local_batch * scale.local_batch_factor))
    parts, over = model_and_data(spec.model, spec.dataset, scale)
    kind_keys = [k for k in ("local_steps", "block_size", "block_steps")
                 if takes(desc, spec.algorithm, k)]
    alg = f"{spec.algorithm}-k{spec.workers}-b{B}"
    tags = {"local_steps": "h", "block_size": "bs", "block_steps": "hb"}
    alg += "".join(f"-{tags[k]}{getattr(spec, k)}" for k in kind_keys)
    parts.append(alg)
    over += [("algorithm.kind", spec.algorithm), ("algorithm.workers", spec.workers),
             ("algorithm.local_batch", B), ("algorithm.local_steps", spec.local_steps)]
    over += [(KIND_KEYS[k], getattr(spec, k)) for k in kind_keys if k != "local_steps"]
    for k, v in spec.options:
        parts.append(option_tag(k, v))
        over.append((f"algorithm.{k}", v))
    for k, v in spec.config:
        parts.append(option_tag(k, v))
        over.append((k, v))
    if spec.momentum is not None:
        parts.append(f"m{fmt_num(spec.momentum)}")
        over.append(("optimizer.momentum", spec.momentum))
        if spec.momentum == 0:  # the trainer refuses Nesterov without momentum
            over.append(("optimizer.nesterov", False))
    # The scale's epochs and LR are always set: a scale may differ from its base config.
    base_epochs = model_epochs if model_epochs is not None else scale.epochs
    epochs = round(base_epochs * spec.epochs_factor, 4)
    if spec.epochs_factor != 1.0 or model_epochs is not None:
        parts.append(f"e{fmt_num(epochs)}")
    over.append(("run.epochs", float(epochs)))
    lr = round((mapping.lr or scale.lr) * spec.lr_factor, 8)
    if spec.lr_factor != 1.0 or mapping.lr is not None:
        parts.append(f"lr{fmt_num(lr)}")
    over.append(("optimizer.lr", lr))
    if spec.warmup_fraction is not None:
        wu = round(epochs * spec.warmup_fraction, 4)
        parts.append(f"wu{fmt_num(wu)}")
        over.append(("algorithm.local_steps_warmup_epochs", float(wu)))
    if spec.switch_fraction is not None:
        sw = round(epochs * spec.switch_fraction, 4)
        parts.append(f"sw{fmt_num(sw)}")
        over.append(("algorithm.switch_epoch", float(sw)))
    if spec.global_delay:
        parts.append(f"d{fmt_num(spec.global_delay)}")
        over.append(("comm.global_delay", spec.global_delay))
    start = resolve(spec.start_from, scale, desc).name if spec.start_from else ""
    if start:  # the same settings from another start are another run
        parts.append(f"from-{start}")
    ranks = spec.workers if spec.workers in scale.mpi_workers else 0
    if ranks:  # a distributed run is another run: its times are measured, not modelled
        parts.append(MPI_SUFFIX)
        over.append(("comm.backend", "mpi"))
    return RunVariant(name="-".join(parts), base_config=scale.base_config_of(spec.model),
                      overrides=tuple(over),
                      kind=spec.algorithm, workers=spec.workers, local_batch=B,
                      local_steps=spec.local_steps, block_size=spec.block_size,
                      block_steps=spec.block_steps, ranks=ranks,
                      kind_keys=desc.algorithms[spec.algorithm].keys, start_from=start,
                      data_maker=scale.datasets[spec.dataset].generated)
