"""Analyses of trained models by localsgd-analyze (Figures 4, 13 and 14): which analysis a
figure's panel reads, the scale's [analysis] settings that size them, and one analysis job.

A figure declaration names its analyses (`analyses = ["hessian-spectrum", "interpolation"]`);
its [[panels]] of plot hessian, interpolation or sharpness (panels.py) each read one of them.
The analysis runs on the models the figure's runs saved (results/<scale>/runs/<variant>/
seed<seed>/config.toml + model.pt), never on runs of its own. One job per (command, row) over
every seed of the row (hessian, sharpness), or per (command, pair of rows) (interpolation). The
settings are the scale's, the same for every figure, so the outputs are keyed by command and
variant(s) only: figures that analyse the same runs (Figure 4 (a) and Figure 14 take the Hessian
of the same K=16 runs) read one job's outputs.

    results/<scale>/analysis/hessian/<variant>.{jsonl,csv,eigenvalues.jsonl,density.csv,
                                                density.jsonl}
    results/<scale>/analysis/sharpness/<variant>.{jsonl,csv,curve.jsonl}
    results/<scale>/analysis/interpolate/<from variant>--<to variant>.{jsonl,csv}

How much work each does is the scale's (configs/scales/<scale>.toml), never the Snakefile's:

    [analysis]                 # every localsgd-analyze hessian / interpolate / sharpness job
    samples = 1024             # training samples of the loss (0 = all of the run's); required
    batch = 256                # samples per forward pass (default 512)
    bn = "running"             # running | batch: BatchNorm statistics of the loss
    precision = "float"        # float | double
    seed = 0                   # of the sample choice and the random probes / directions
    threads = 1                # intra-op threads per job (0 or absent: the runs' run.threads)
    runtime = 60               # minutes per job (Slurm; doubled on the retry); required
    mem_mb = 2000              # required
    [analysis.hessian]         # Figures 4(a), 14
    top = 5                    # top eigenvalues; required
    method = "lanczos"         # lanczos | power | both
    trace_probes = 20          # products for the trace (0 = no trace); required
    trace_method = "hutch++"   # hutchinson (default: trace_probes probes) | hutch++ (Meyer et
                               # al. 2021: a multiple of 3 products, at least 6)
    density_steps = 40         # stochastic Lanczos quadrature steps (>= 1); required
    hvp = "autograd"           # autograd (default) | differences: Hessian-vector products by
                               # double backward, or by central differences of the gradient
                               # (2 gradients a product, cheaper on CPU; far off the Hessian on
                               # the ReLU ResNets here: configs/scales/small.toml)
    # tolerance, power_tolerance, max_iterations, density_probes, density_points
    [analysis.interpolate]     # Figure 4(b)
    points = 21                # alphas from `from` (-0.5) to `to` (1.5); required
    # statistics = "interpolate" | "reestimate", test_samples = 0 (all)
    [analysis.sharpness]       # Figure 13
    directions = 10            # filter-normalised random directions; required
    points = 21                # alphas from -radius to radius; required
    epsilon = [1e-3, 5e-4]     # Keskar epsilon-sharpness ([] = none); required
    lbfgs_iterations = 10      # required
    # radius = 1

A scale without [analysis] leaves these figures waiting for it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .common import is_int, is_num, req

# A figure's `analyses` entry -> the localsgd-analyze subcommand that computes it.
ANALYSIS_COMMANDS = {"hessian-spectrum": "hessian", "interpolation": "interpolate",
                     "sharpness": "sharpness"}
# A panel's plot -> the analysis (of the declaration's `analyses`) it draws. "suboptimality"
# reads the runs' own records (suboptimality_series.py): no job of localsgd-analyze.
PLOT_ANALYSIS = {"hessian": "hessian-spectrum", "interpolation": "interpolation",
                 "sharpness": "sharpness", "suboptimality": "suboptimality"}
# What each subcommand writes after its PREFIX (the workflow always computes the density).
COMMAND_OUTPUTS = {
    "hessian": (".jsonl", ".csv", ".eigenvalues.jsonl", ".density.csv", ".density.jsonl"),
    "interpolate": (".jsonl", ".csv"),
    "sharpness": (".jsonl", ".csv", ".curve.jsonl"),
}


def _count(minimum):
    return (lambda v: is_int(v) and v >= minimum, f"an integer >= {minimum}")


def _choice(*values):
    return (lambda v: v in values, " or ".join(repr(x) for x in values))


_POSITIVE = (lambda v: is_num(v) and v > 0, "a positive number")
_NUMBER = (is_num, "a number")
_EPSILONS = (lambda v: isinstance(v, list) and all(is_num(e) and e > 0 for e in v),
             "a list of positive numbers ([] = none)")

# Key of the scale's table -> (check, what it must be, required). The option of the
# subcommand is the key with '-' for '_'; threads, runtime and mem_mb are the job's.
COMMON_KEYS = {
    "samples": (*_count(0), True), "batch": (*_count(1), False),
    "bn": (*_choice("running", "batch"), False), "precision": (*_choice("float", "double"), False),
    "seed": (*_count(0), False), "threads": (*_count(0), False),
    "runtime": (*_count(1), True), "mem_mb": (*_count(1), True),
}
JOB_KEYS = ("threads", "runtime", "mem_mb")
COMMAND_KEYS = {
    "hessian": {"top": (*_count(1), True), "method": (*_choice("lanczos", "power", "both"), False),
                "tolerance": (*_POSITIVE, False), "power_tolerance": (*_POSITIVE, False),
                "max_iterations": (*_count(1), False), "trace_probes": (*_count(0), True),
                "trace_method": (*_choice("hutchinson", "hutch++"), False),
                "density_steps": (*_count(1), True), "density_probes": (*_count(1), False),
                "density_points": (*_count(2), False),
                "hvp": (*_choice("autograd", "differences"), False)},
    "interpolate": {"points": (*_count(2), True), "from": (*_NUMBER, False),
                    "to": (*_NUMBER, False),
                    "statistics": (*_choice("interpolate", "reestimate"), False),
                    "test_samples": (*_count(0), False)},
    "sharpness": {"directions": (*_count(1), True), "points": (*_count(2), True),
                  "radius": (*_POSITIVE, False), "epsilon": (*_EPSILONS, True),
                  "lbfgs_iterations": (*_count(1), True)},
}


@dataclass(frozen=True)
class AnalysisSettings:
    """A scale's [analysis] table: the loss options every analysis shares, each subcommand's
    own options, and the job's threads, runtime and memory."""
    loss: tuple          # (("samples", 64), ...) in file order, without the job keys
    commands: dict       # subcommand -> (("top", 2), ...)
    threads: int         # 0: the scale's run.threads
    runtime: int         # minutes
    mem_mb: int

    def option(self, command, key):
        return dict(self.commands[command]).get(key)

    def arguments(self, command) -> list:
        """The subcommand's options, e.g. ['--top', '2', ..., '--samples', '64', ...]."""
        out = []
        for key, value in (*self.commands[command], *self.loss):
            out += [f"--{key.replace('_', '-')}", _text(value)]
        return out


def _text(value) -> str:
    if isinstance(value, list):
        return ",".join(_text(v) for v in value) if value else "none"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _checked(table, keys, path, where) -> tuple:
    req(isinstance(table, dict), path, f"{where} must be a table")
    unknown = sorted(set(table) - set(keys))
    req(not unknown, path, f"{where}: unknown keys {unknown} (known: {sorted(keys)})")
    for key, (ok, what, required) in keys.items():
        req(key in table or not required, path, f"{where}.{key} is required ({what})")
        req(key not in table or ok(table[key]), path,
            f"{where}.{key} must be {what}, got {table.get(key)!r}")
    return tuple((k, v) for k, v in table.items())


def load_analysis_settings(d, path):
    """The [analysis] table of a scale file `d`, checked (None without one)."""
    a = d.get("analysis")
    if a is None:
        return None
    req(isinstance(a, dict), path, "[analysis] must be a table")
    common = {k: v for k, v in a.items() if k not in COMMAND_KEYS}
    items = dict(_checked(common, COMMON_KEYS, path, "analysis"))
    commands = {}
    for command, keys in COMMAND_KEYS.items():
        req(command in a, path, f"[analysis.{command}] is required (sizes localsgd-analyze "
            f"{command}; keys {sorted(keys)})")
        commands[command] = _checked(a[command], keys, path, f"analysis.{command}")
    h = dict(commands["hessian"])
    req(h.get("trace_method") != "hutch++" or h["trace_probes"] == 0
        or (h["trace_probes"] >= 6 and h["trace_probes"] % 3 == 0), path,
        "analysis.hessian.trace_probes: trace_method 'hutch++' takes a multiple of 3 products, "
        f"at least 6, got {h['trace_probes']}")
    ip = dict(commands["interpolate"])
    req(ip.get("from", -0.5) < ip.get("to", 1.5), path, "analysis.interpolate: from < to")
    return AnalysisSettings(
        loss=tuple((k, v) for k, v in items.items() if k not in JOB_KEYS), commands=commands,
        threads=items.get("threads", 0), runtime=items["runtime"], mem_mb=items["mem_mb"])


@dataclass(frozen=True)
class AnalysisJob:
    """One localsgd-analyze job: a command over the seeds of one row (hessian, sharpness) or of
    two rows paired seed by seed (interpolate). Figures that draw the same command of the same
    runs share it."""
    command: str         # hessian | interpolate | sharpness
    name: str            # the row's variant, or "<from variant>--<to variant>"
    variants: tuple      # of RunVariant: one, or (from, to) for interpolate

    def prefix(self, results_dir, scale: str) -> Path:
        return analysis_prefix(results_dir, scale, self.command, self.name)


def analysis_prefix(results_dir, scale, command, name) -> Path:
    """results/<scale>/analysis/<command>/<name>: the PREFIX of one analysis job."""
    return Path(results_dir) / scale / "analysis" / command / name
