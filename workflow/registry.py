"""Experiment registry: which runs every table and figure of the paper needs, per scale.

    configs/experiments/<id>.toml   one declaration per table/figure, in scale-free terms
    configs/scales/<scale>.toml     how a scale maps declarations onto trainer configs

This file is the registry's one import name (`import registry`, as the Snakefile, tables.py and
index.py do) and its command line; the parts live in workflow/experiment_registry/, one concept
each: the declaration format is described in declarations.py, the scale format in scales.py,
run names in variants.py, what an experiment waits for in readiness.py, and the analyses of
trained models (Hessian, interpolation, sharpness; the scale's [analysis]) in analyses.py.

Each run resolves to a variant whose name is built from its effective settings, so the same
run declared by several experiments is trained once. What the trainer can do (its algorithm
kinds and the keys each takes, its datasets, features and config keys) is read from its own
description, workflow/trainer_description.json (`localsgd-train --describe`); the registry
keeps no list of its own.

No Snakemake dependency. Run `python3 workflow/registry.py status [--scale S]` to list the
experiments of a scale as ready / partial / waiting for: ... / not at this scale, and
`python3 workflow/registry.py runs [--scale S]` for every run's --set overrides.
"""
from __future__ import annotations

import sys
from pathlib import Path

from experiment_registry.analyses import (  # noqa: F401
    ANALYSIS_COMMANDS, COMMAND_OUTPUTS, PLOT_ANALYSIS, AnalysisJob, AnalysisSettings,
    analysis_prefix)
from experiment_registry.benchmarks import BENCHMARK_COMMANDS, Benchmark  # noqa: F401
from experiment_registry.common import RegistryError, toml_value  # noqa: F401
from experiment_registry.generated_data import GENERATED_DATA, GENERATED_FILES, generated_files  # noqa: F401
from experiment_registry.declarations import (  # noqa: F401
    KINDS, METRICS, PHASES, TAGS, TIME_METRICS, Experiment, PaperValue, load_experiment,
    load_experiments)
from experiment_registry.panels import (  # noqa: F401
    ANALYSIS_AXES, CURVE_X, CURVE_Y, INTERPOLATION_Y, PLOTS, RUN_X, Panel)
from experiment_registry.readiness import (  # noqa: F401
    FIGURE_ANALYSES, TABLE_ANALYSES, Status, capabilities, missing_for)
from experiment_registry.run_blocks import KIND_KEYS, RunSpec  # noqa: F401
from experiment_registry.scale_registry import ScaleRegistry, build  # noqa: F401
from experiment_registry.scales import Scale, load_scale, scale_names  # noqa: F401
from experiment_registry.variants import (  # noqa: F401
    MPI_SUFFIX, RunVariant, benchmark_arguments, fmt_num, model_and_data, resolve, run_dir)


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
