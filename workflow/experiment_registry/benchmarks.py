"""The [benchmark] of a declaration: a table or figure measured by localsgd-microbench instead
of trained, one job per model (model, fwd-bwd) or per placement of the two ranks (latency)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .common import is_int, req

# A [benchmark] command of localsgd-microbench -> the capability it stands for.
BENCHMARK_COMMANDS = {"model": "model-size", "fwd-bwd": "fwd-bwd-benchmark",
                      "latency": "latency-benchmark"}


@dataclass(frozen=True)
class Benchmark:
    """A table or figure measured by localsgd-microbench instead of trained: one job per model
    (model, fwd-bwd) or per placement of the two ranks (latency)."""
    command: str         # model | fwd-bwd | latency
    models: tuple        # models, or latency's placements (intra-node, inter-node)
    dataset: str         # a dataset role, mapped by the scale like a run's ("" for latency)
    batches: tuple       # fwd-bwd: the paper's batch sizes (a scale multiplies them)


def load_benchmark(d, path):
    """The [benchmark] table of a declaration, checked (None without one)."""
    b = d.get("benchmark")
    if b is None:
        return None
    req(isinstance(b, dict) and not d.get("runs"), path, "[benchmark] comes instead of [[runs]]")
    unknown = sorted(set(b) - {"command", "models", "placements", "dataset", "batches"})
    req(not unknown, path, f"[benchmark]: unknown keys {unknown}")
    req(b.get("command") in BENCHMARK_COMMANDS, path,
        f"[benchmark] command must be one of {sorted(BENCHMARK_COMMANDS)}")
    latency = b["command"] == "latency"
    req((d.get("kind") == "figure") == latency, path,
        "[benchmark] latency is a figure's; model and fwd-bwd are tables'")
    key = "placements" if latency else "models"
    models = b.get(key)
    req(key in b and (latency or "placements" not in b) and isinstance(models, list) and models
        and all(isinstance(m, str) and re.match(r"^[a-z0-9][a-z0-9.-]*$", m) for m in models),
        path, f"[benchmark] {key}: a non-empty list of names"
        + (" (intra-node, inter-node)" if latency else " of models"))
    req(isinstance(b.get("dataset"), str) != latency, path,
        "[benchmark] dataset: required for model and fwd-bwd, not for latency")
    batches = b.get("batches", [])
    req(isinstance(batches, list) and all(is_int(x) and x >= 1 for x in batches), path,
        "[benchmark] batches: a list of positive integers")
    req((b["command"] == "fwd-bwd") == bool(batches), path,
        "[benchmark] batches are for command fwd-bwd, which needs them")
    return Benchmark(b["command"], tuple(models), b.get("dataset", ""), tuple(batches))
