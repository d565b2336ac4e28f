# Reproduction workflow: trains every run of a scale's grids with build/localsgd-train and
# turns the runs into tables. The trainer is built by scripts/setup.sh, not here.
#
#   .venv/bin/snakemake -n                                  # what would run (scale "small")
#   .venv/bin/snakemake --cores 2                           # all tables of the scale
#   .venv/bin/snakemake --cores 2 --config scale=small grids=first-grid
#
# Layout:
#   configs/<scale>/<base>.toml          trainer base config(s)
#   configs/<scale>/<name>-grid.toml     a grid: seeds + variants (see workflow/grid.py)
#   results/<scale>/runs/<variant>/seed<seed>/   one training run (summary.json, ...)
#   results/<scale>/logs/train/<variant>/seed<seed>.log
#   tables/<scale>/<name>-grid.{md,csv}  one table per grid

import os
import sys
import tomllib

sys.path.insert(0, os.path.join(workflow.basedir, "workflow"))
import grid as grid_lib  # noqa: E402  workflow/grid.py

CONFIGS_DIR = os.path.join(workflow.basedir, "configs")
RESULTS_DIR = "results"
TABLES_DIR = "tables"
TRAINER = "build/localsgd-train"
WORKFLOW_CODE = os.path.join(workflow.basedir, "workflow")

SCALE = str(config.get("scale", "small"))
_grids = config.get("grids")  # optional: restrict the default target to these grids
if isinstance(_grids, str):
    _grids = [g for g in _grids.split(",") if g]

if not os.path.exists(TRAINER):
    print(
        f"Snakefile: {TRAINER} not found: build it first with `bash scripts/setup.sh`",
        file=sys.stderr,
    )

_registries = {}


def registry(scale):
    """All grids of `scale`, loaded once."""
    if scale not in _registries:
        _registries[scale] = grid_lib.load_registry(CONFIGS_DIR, scale)
    return _registries[scale]


def variant_of(wildcards):
    try:
        return registry(wildcards.scale).variants[wildcards.variant]
    except KeyError:
        raise ValueError(
            f"scale {wildcards.scale!r} has no variant {wildcards.variant!r}"
        ) from None


def run_threads(wildcards):
    """Intra-op threads of a run: [run] threads of its base config (0 = all cores)."""
    with open(variant_of(wildcards).base_config, "rb") as f:
        threads = tomllib.load(f).get("run", {}).get("threads", 0)
    return threads if threads > 0 else workflow.cores


def grid_of(wildcards):
    try:
        return registry(wildcards.scale).grids[wildcards.grid]
    except KeyError:
        raise ValueError(f"scale {wildcards.scale!r} has no grid {wildcards.grid!r}") from None


def grid_summaries(wildcards):
    g = grid_of(wildcards)
    return [
        os.path.join(
            str(grid_lib.run_dir(RESULTS_DIR, wildcards.scale, v.name, s)), "summary.json"
        )
        for v, s in g.runs()
    ]


def default_tables():
    names = _grids or list(registry(SCALE).grids)
    for name in names:
        if name not in registry(SCALE).grids:
            raise ValueError(f"scale {SCALE!r} has no grid {name!r}")
    return expand(
        os.path.join(TABLES_DIR, "{scale}", "{grid}.{ext}"),
        scale=SCALE,
        grid=names,
        ext=["md", "csv"],
    )


wildcard_constraints:
    scale=r"[A-Za-z0-9_-]+",
    variant=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    seed=r"\d+",
    grid=r"[A-Za-z0-9_.-]+",


localrules:
    all,
    table,


rule all:
    default_target: True
    input:
        default_tables(),


rule train:
    input:
        config=lambda wc: str(variant_of(wc).base_config),
        trainer=ancient(TRAINER),
    output:
        summary="results/{scale}/runs/{variant}/seed{seed}/summary.json",
        metrics="results/{scale}/runs/{variant}/seed{seed}/metrics.jsonl",
        timing="results/{scale}/runs/{variant}/seed{seed}/timing.jsonl",
        effective_config="results/{scale}/runs/{variant}/seed{seed}/config.toml",
        model="results/{scale}/runs/{variant}/seed{seed}/model.pt",
    params:
        run_dir=lambda wc, output: os.path.dirname(output.summary),
        sets=lambda wc: variant_of(wc).set_command_line(seed=int(wc.seed)),
    log:
        "results/{scale}/logs/train/{variant}/seed{seed}.log",
    # Each job gets exactly its threads: oversubscribed OpenMP threads spin-wait and run
    # ~15x slower (bench/oversubscription.sh).
    threads: run_threads
    shell:
        "{input.trainer} {input.config} --out {params.run_dir} {params.sets}"
        " --set run.threads={threads} > {log} 2>&1"


rule table:
    input:
        summaries=grid_summaries,
        grid=lambda wc: str(grid_of(wc).path),
        tables_code=os.path.join(WORKFLOW_CODE, "tables.py"),
        grid_code=os.path.join(WORKFLOW_CODE, "grid.py"),
    output:
        md="tables/{scale}/{grid}.md",
        csv="tables/{scale}/{grid}.csv",
    params:
        python=sys.executable,  # the interpreter running Snakemake (.venv's)
        runs_dir=lambda wc: os.path.join(RESULTS_DIR, wc.scale, "runs"),
    log:
        "results/{scale}/logs/table/{grid}.log",
    # tables.py writes each table to a temporary name, then renames it into place.
    shell:
        "{params.python} {input.tables_code} {input.grid} {params.runs_dir}"
        " {output.md} {output.csv} > {log} 2>&1"
