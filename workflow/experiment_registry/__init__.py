"""The parts of the experiment registry; workflow/registry.py is its one front door (import
registry, or run it). One concept per module:

    common.py          RegistryError, the small value checks, TOML in and out
    run_blocks.py      [[runs]] blocks of a declaration -> RunSpec, one per run
    panels.py          [[panels]] of a figure declaration -> Panel
    analyses.py        analyses of trained models (Figures 4, 13, 14): a scale's [analysis]
                       -> AnalysisSettings, one localsgd-analyze job -> AnalysisJob
    benchmarks.py      [benchmark] of a declaration -> Benchmark
    declarations.py    configs/experiments/<id>.toml -> Experiment
    scales.py          configs/scales/<scale>.toml -> Scale
    generated_data.py  datasets the workflow makes (the LIBSVM stand-in for w8a)
    variants.py        a RunSpec at a Scale -> RunVariant (its name and trainer overrides)
    readiness.py       what a run or experiment still waits for -> Status
    scale_registry.py  every experiment at one scale -> ScaleRegistry (build)

What the trainer can do (algorithm kinds and their keys, datasets, features, config keys)
comes from its description, workflow/trainer_description.json (workflow/trainer_description.py).
"""
