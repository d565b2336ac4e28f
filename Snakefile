# Reproduction workflow: trains every run of a scale's tables and figures with
# build/localsgd-train, measures the micro-benchmarks with build/localsgd-microbench, and turns
# them into tables (workflow/tables.py) and figures (build/localsgd-analyze). The binaries are
# built by scripts/setup.sh, not here.
#
#   .venv/bin/snakemake -n                                  # what would run (scale "small")
#   .venv/bin/snakemake --cores 2                           # every table and figure of the scale
#   .venv/bin/snakemake --cores 2 --config experiments=table3,figure7   # only these
#   .venv/bin/snakemake --cores 2 tables/small/table3.md    # one table
#   .venv/bin/snakemake --config scale=smoke --cores 2      # seconds per job
#
# Experiment registry (workflow/registry.py): configs/experiments/<id>.toml declares the runs
# of every table and figure of the paper; configs/scales/<scale>.toml maps them onto trainer
# runs. Every declared table the trainer can run is a target tables/<scale>/<id>.{md,csv,tex};
# the others are listed as "waiting for: ..." on stderr and in tables/<scale>/status.md.
# Runs are named by their settings, so a run shared by several tables is trained once.
#
# Every rule runs its command from a run: block with shell(). Snakemake's --lint asks each
# shell: rule for a conda environment or a container; the software here is Debian's (LibTorch,
# OpenMPI, gnuplot, Slurm) plus the binaries scripts/setup.sh builds, none of which conda can
# provide on these machines, so no such declaration would be true.
#
# Layout:
#   results/<scale>/runs/<variant>/seed<seed>/   one training run (summary.json, ...)
#   results/<scale>/data/<maker>/train, train.t  a dataset the workflow makes (rule generated_data)
#   results/<scale>/bench/<id>/<model>.jsonl     one micro-benchmark's records
#   results/<scale>/analysis/<command>/<variant>.*   localsgd-analyze hessian, interpolate or
#       sharpness on the saved models of a row (every seed; an interpolation: <from variant>--
#       <to variant>), sized by the scale's [analysis]; one job for every figure that draws it
#   results/<scale>/analysis/<figure>/series/<figure><panel>/<i>.jsonl   their mean over seeds,
#       one file per line of the figure (workflow/analysis_series.py)
#   results/<scale>/logs/<rule>/...              every job's log
#   tables/<scale>/<id>.{md,csv,tex}, tables/<scale>/status.md
#   tables/<scale>/claims.{md,csv}               the paper's claims (configs/claims.toml) tested
#       on the scale's runs, with 95 % intervals over seeds and verdicts (workflow/claims.py)
#   figures/<scale>/<id><panel>.{png,pdf,svg,csv,gp}, figures/<scale>/README.md (the index)

import glob
import os
import shlex
import signal
import sys
import time
import tomllib

sys.path.insert(0, os.path.join(workflow.basedir, "workflow"))
import registry as registry_lib  # noqa: E402  workflow/registry.py
import claims as claims_lib  # noqa: E402  workflow/claims.py
import analysis_series  # noqa: E402  workflow/analysis_series.py
import slurm_client_config  # noqa: E402  workflow/slurm_client_config.py
import report_captions  # noqa: E402  workflow/report_captions.py

# Inside a Slurm job of the slurm/ profile: keep SLURM_CONF for the job step's srun, which the
# Slurm plugin's job-step executor would start without it (workflow/slurm_client_config.py).
slurm_client_config.keep()
# ... and survive SIGUSR1: the profile asks Slurm to send it to the training jobs' steps before
# their time limit (--signal=USR1@...), and Slurm signals every process of a step, Snakemake's
# too, which SIGUSR1 would kill. The trainer, exec'd by the rule, gets it as well and stops at
# the next step with a checkpoint (exit 138); Snakemake's retry then resumes it. A Python
# handler (not SIG_IGN) is reset by exec, so the programs the rules run keep the default.
if os.environ.get("SLURM_JOB_ID"):
    signal.signal(signal.SIGUSR1, lambda signum, frame: None)

CONFIGS_DIR = os.path.join(workflow.basedir, "configs")
RESULTS_DIR = "results"
TABLES_DIR = "tables"
TRAINER = str(config.get("trainer", "build/localsgd-train"))  # --config trainer=PATH
ANALYZER = str(config.get("analyzer", "build/localsgd-analyze"))  # --config analyzer=PATH
MICROBENCH = str(config.get("microbench", "build/localsgd-microbench"))  # --config microbench=PATH
# How MPI rules start their ranks here; the slurm/ profile sets srun --mpi=pmix instead.
MPI_LAUNCHER = str(config.get("mpi_launcher", "mpirun"))  # --config mpi_launcher=...
FIGURES_DIR = "figures"
WORKFLOW_CODE = os.path.join(workflow.basedir, "workflow")
# The registry's parts and the trainer description it reads (workflow/registry.py is the
# entry point): a table or status.md is rebuilt when they change.
REGISTRY_PARTS = sorted(glob.glob(os.path.join(WORKFLOW_CODE, "experiment_registry", "*.py"))) + [
    os.path.join(WORKFLOW_CODE, "trainer_description.py"),
    os.path.join(WORKFLOW_CODE, "trainer_description.json"),
]

SCALE = str(config.get("scale", "small"))
_experiments = config.get("experiments")  # optional: restrict the default target to these
if isinstance(_experiments, str):
    _experiments = [e for e in _experiments.split(",") if e]

if not os.path.exists(TRAINER):
    print(
        f"Snakefile: {TRAINER} not found: build it first with `bash scripts/setup.sh`",
        file=sys.stderr,
    )

_experiment_registries = {}


def experiments(scale):
    """The experiment registry of `scale` (configs/experiments + configs/scales/<scale>.toml)."""
    if scale not in _experiment_registries:
        _experiment_registries[scale] = registry_lib.build(CONFIGS_DIR, scale)
    return _experiment_registries[scale]


def variant_of(wildcards):
    try:
        return experiments(wildcards.scale).variants[wildcards.variant]
    except KeyError:
        raise ValueError(
            f"scale {wildcards.scale!r} has no variant {wildcards.variant!r}"
        ) from None


def start_model(wildcards):
    """The model.pt a run starts from (its declaration's start_from, same seed), or none."""
    v = variant_of(wildcards)
    if not v.start_from:
        return []
    return [os.path.join(str(registry_lib.run_dir(RESULTS_DIR, wildcards.scale, v.start_from, int(wildcards.seed))),
                         "model.pt")]


def run_data(wildcards):
    """The files of a run's generated dataset (rule generated_data), data.path first, or none."""
    v = variant_of(wildcards)
    return registry_lib.generated_files(RESULTS_DIR, wildcards.scale, v.data_maker) if v.data_maker else []


def run_sets(wildcards):
    """The trainer's --set arguments of one run and seed."""
    return variant_of(wildcards).set_command_line(
        seed=int(wildcards.seed), init_from=next(iter(start_model(wildcards)), None),
        data_path=next(iter(run_data(wildcards)), None))


def run_threads(wildcards):
    """Intra-op threads of a run: run.threads of its overrides or base config (0 = all cores)."""
    v = variant_of(wildcards)
    return base_threads(v.base_config, v.overrides)


# Slurm requests of one training run (used by --profile slurm; harmless locally): minutes of
# wall time and MB of memory per scale, doubled on each retry (the profile retries once).
TRAIN_SLURM = {  # scale: (runtime in minutes, mem_mb)
    "smoke": (10, 1000),
    "small": (120, 2000),
    "paper": (24 * 60, 4000),
}


def train_slurm(what):
    """Resource callable for rule train: what = "runtime" or "mem_mb"."""
    def resource(wildcards, attempt):
        runtime, mem_mb = TRAIN_SLURM.get(wildcards.scale, (12 * 60, 4000))
        return (runtime if what == "runtime" else mem_mb) * attempt
    return resource


def experiment_summaries(wildcards):
    """What a table reads: its runs' summary.json, or its benchmarks' outputs."""
    reg = experiments(wildcards.scale)
    if wildcards.exp not in reg.tables():
        status = reg.statuses.get(wildcards.exp)
        why = f" ({status.line()})" if status else ""
        raise ValueError(f"scale {wildcards.scale!r}: no table {wildcards.exp!r} to build{why}")
    return [
        os.path.join(
            str(registry_lib.run_dir(RESULTS_DIR, wildcards.scale, v.name, s)), "summary.json"
        )
        for v, s in reg.runs(wildcards.exp)
    ] + [
        bench_output(wildcards.scale, wildcards.exp, m)
        for m in reg.statuses[wildcards.exp].benchmark_models()
    ]


def base_threads(base_config, overrides):
    """run.threads of a trainer config after its overrides (0 = all cores)."""
    overrides = dict(overrides)
    if "run.threads" in overrides:
        threads = overrides["run.threads"]
    else:
        with open(base_config, "rb") as f:
            threads = tomllib.load(f).get("run", {}).get("threads", 0)
    return threads if threads > 0 else machine_cores()


def machine_cores():
    """The cores of the local machine as Snakemake was given them (--cores, or the workflow
    profile's cores: all); 1 under a remote executor such as Slurm's, where each job asks for
    its own CPUs and --cores is the submitting host's."""
    if not workflow.local_exec:
        return 1
    try:
        cores = workflow.cores
    except Exception:  # WorkflowError: "requires a total number of cores to be defined"
        return 1
    return cores if isinstance(cores, int) and 0 < cores < 4096 else 1


def benchmark_of(wildcards):
    """(Benchmark, scale) of results/{scale}/bench/{exp}/{model}.jsonl, or an error."""
    reg = experiments(wildcards.scale)
    if (wildcards.exp, wildcards.model) not in reg.benchmarks():
        raise ValueError(f"scale {wildcards.scale!r}: no benchmark {wildcards.model!r} of "
                         f"{wildcards.exp!r} (benchmarks: {reg.benchmarks()})")
    return reg.experiments[wildcards.exp].benchmark, reg.scale


def latency_benchmark(wildcards):
    """The declaration of a figure's latency benchmark at {placement}, or an error."""
    reg = experiments(wildcards.scale)
    if (wildcards.fig, wildcards.placement) not in reg.benchmarks():
        raise ValueError(f"scale {wildcards.scale!r}: no benchmark {wildcards.placement!r} of "
                         f"{wildcards.fig!r} (benchmarks: {reg.benchmarks()})")
    return reg.experiments[wildcards.fig].path


def benchmark_threads(wildcards):
    """Intra-op threads a benchmark measures with: its model's run.threads at the scale."""
    bench, scale = benchmark_of(wildcards)
    _, overrides = registry_lib.model_and_data(wildcards.model, bench.dataset, scale)
    return base_threads(scale.base_config_of(wildcards.model), overrides)


def benchmark_args(wildcards):
    """localsgd-microbench's options for one benchmark: the model's overrides, the batches."""
    bench, scale = benchmark_of(wildcards)
    args = registry_lib.benchmark_arguments(bench, wildcards.model, scale)
    return " ".join(shlex.quote(a) for a in args)


_claims = {}


def claims_at(scale):
    """The claims of configs/claims.toml, checked against the declarations (when the workflow
    is parsed: default_tables() asks for them)."""
    if scale not in _claims:
        reg = experiments(scale)
        _claims[scale] = claims_lib.load(CONFIGS_DIR, reg.experiments)
    return _claims[scale]


def claim_inputs(wildcards):
    """summary.json, metrics.jsonl and timing.jsonl of every run the claims read, and the
    analysis outputs the flatness claims read (the figures' Hessian and sharpness jobs)."""
    reg, claims = experiments(wildcards.scale), claims_at(wildcards.scale)
    return [os.path.join(str(registry_lib.run_dir(RESULTS_DIR, wildcards.scale, v.name, s)), f)
            for v, s in claims_lib.claim_runs(reg, claims)
            for f in ("summary.json", "metrics.jsonl", "timing.jsonl")] + \
        claims_lib.claim_analyses(reg, claims, RESULTS_DIR)


def default_tables():
    reg = experiments(SCALE)
    exps = reg.tables() if _experiments is None else \
        [e for e in _experiments if e.startswith("table")]
    for e in exps:
        if e not in reg.tables():
            why = reg.statuses[e].line() if e in reg.statuses else f"no experiment {e}"
            raise ValueError(f"scale {SCALE!r}: {why}")
    targets = expand(
        os.path.join(TABLES_DIR, "{scale}", "{exp}.{ext}"),
        scale=SCALE,
        exp=exps,
        ext=["md", "csv", "tex"],
    )
    if _experiments is None:
        targets.append(os.path.join(TABLES_DIR, SCALE, "status.md"))
        if claims_lib.testable(reg, claims_at(SCALE)):
            targets += expand(os.path.join(TABLES_DIR, SCALE, "claims.{ext}"), ext=["md", "csv"])
    return targets


def figure_panel(wildcards):
    """(experiment id, Panel) of figures/{scale}/{fig}.png, or an error naming why not."""
    reg = experiments(wildcards.scale)
    if wildcards.fig not in reg.figures():
        raise ValueError(f"scale {wildcards.scale!r}: no figure {wildcards.fig!r} to draw "
                         f"(drawable: {', '.join(reg.figures()) or 'none'})")
    return reg.panel(wildcards.fig)


def bench_output(scale, exp_id, model):
    """results/<scale>/bench/<experiment>/<model or placement>.jsonl: a benchmark's records."""
    return os.path.join(RESULTS_DIR, scale, "bench", exp_id, f"{model}.jsonl")


def figure_run_dirs(wildcards):
    """(label, [run dir per seed]) of every series a figure draws; a [benchmark] figure's
    series are (placement, [its records])."""
    reg = experiments(wildcards.scale)
    exp_id, panel = figure_panel(wildcards)
    if reg.experiments[exp_id].benchmark:
        return [(label, [bench_output(wildcards.scale, exp_id, label)])
                for label, _ in reg.panel_series(exp_id, panel)]
    return [
        (panel.point_label(v) if panel.plot == "bars" and panel.x else label,
         [str(registry_lib.run_dir(RESULTS_DIR, wildcards.scale, v.name, s))
          for s in reg.scale.seeds])
        for label, v in reg.panel_series(exp_id, panel)
    ]


def series_dir(scale, exp_id, target):
    """results/<scale>/analysis/<figure>/series/<target>: an analysis panel's lines."""
    return os.path.join(RESULTS_DIR, scale, "analysis", exp_id, "series", target)


def figure_inputs(wildcards):
    """summary.json, metrics.jsonl and timing.jsonl of every run a figure draws (a [benchmark]
    figure: its records; an analysis panel: its lines, rule analysis_series)."""
    exp_id, panel = figure_panel(wildcards)
    if panel.analysis:
        return [series_dir(wildcards.scale, exp_id, wildcards.fig)]
    if experiments(wildcards.scale).experiments[exp_id].benchmark:
        return [f for _, files in figure_run_dirs(wildcards) for f in files]
    return [os.path.join(d, f) for _, dirs in figure_run_dirs(wildcards) for d in dirs
            for f in ("summary.json", "metrics.jsonl", "timing.jsonl")]


def figure_args(wildcards):
    """The analyzer's command line after the program: subcommand, options, series."""
    exp_id, panel = figure_panel(wildcards)
    if panel.analysis:   # the mean over seeds of its analyses, one file per line
        args = ["lines", "--x", analysis_series.x_field(panel), "--y", "mean", "--std", "std",
                "--seeds", "seeds"]
    else:
        args = [panel.plot]
    if panel.plot in ("curves", "lines"):
        args += ["--x", panel.x, "--y", panel.y]
    if panel.plot == "bars" and panel.x:   # lines over x, one per algorithm
        args += ["--lines", "log" if panel.log == "x" else "linear"]
    elif panel.log:
        args += ["--log", panel.log]
    xlabel, ylabel, title = panel.xlabel, panel.ylabel, panel.title
    if panel.analysis:
        xlabel, ylabel = xlabel or panel.x, ylabel or panel.y.replace("_", " ")
    if panel.plot == "suboptimality":   # the target drawn, which a scale may set ([targets])
        reg = experiments(wildcards.scale)
        title = f"{title or wildcards.fig}, target {reg.panel_target(wildcards.fig):g}"
    for opt, value in (("--title", title), ("--xlabel", xlabel), ("--ylabel", ylabel)):
        if value:
            args += [opt, value]
    if panel.analysis:
        d = series_dir(wildcards.scale, exp_id, wildcards.fig)
        reg = experiments(wildcards.scale)
        args += [f"{label}={d}/{i}.jsonl"
                 for i, (label, _) in enumerate(analysis_series.lines(reg, wildcards.fig), 1)]
    else:
        args += [f"{label}={','.join(dirs)}" for label, dirs in figure_run_dirs(wildcards)]
    return " ".join(shlex.quote(a) for a in args)


def analysis_job(wildcards, command):
    """The AnalysisJob of results/{scale}/analysis/<command>/{name}, or an error."""
    reg = experiments(wildcards.scale)
    try:
        return reg.analysis_job(command, wildcards.name)
    except KeyError:
        names = [f"{j.command}/{j.name}" for j in reg.analysis_jobs()]
        raise ValueError(f"scale {wildcards.scale!r}: no analysis {command}/{wildcards.name}"
                         f" (analyses: {', '.join(names) or 'none'})") from None


def analysis_run_dirs(wildcards, command):
    """[run dir per seed] of each variant the job analyses (one, or interpolate's two)."""
    reg = experiments(wildcards.scale)
    return [[str(registry_lib.run_dir(RESULTS_DIR, wildcards.scale, v.name, s))
             for s in reg.scale.seeds] for v in analysis_job(wildcards, command).variants]


def analysis_inputs(command):
    """Input callable: config.toml and model.pt of every run the job analyses."""
    def inputs(wildcards):
        return [os.path.join(d, f) for dirs in analysis_run_dirs(wildcards, command)
                for d in dirs for f in ("config.toml", "model.pt")]
    return inputs


def analysis_args(command):
    """Params callable: the subcommand's options from the scale's [analysis], then its series
    (LABEL=RUN_DIR,... per variant, labelled by the variant's name)."""
    def args(wildcards):
        job = analysis_job(wildcards, command)
        out = experiments(wildcards.scale).scale.analysis.arguments(command)
        out += [f"{v.name}={','.join(dirs)}"
                for v, dirs in zip(job.variants, analysis_run_dirs(wildcards, command))]
        return " ".join(shlex.quote(a) for a in out)
    return args


def analysis_threads(wildcards):
    """Intra-op threads of an analysis job: [analysis] threads, else the scale's run.threads."""
    scale = experiments(wildcards.scale).scale
    if scale.analysis is not None and scale.analysis.threads > 0:
        return scale.analysis.threads
    return base_threads(scale.base_config, scale.trainer)


def analysis_slurm(what):
    """Resource callable of the analysis rules: [analysis] runtime (minutes) or mem_mb of the
    scale, doubled on each retry, like rule train's."""
    def resource(wildcards, attempt):
        a = experiments(wildcards.scale).scale.analysis
        if a is None:
            raise ValueError(f"scale {wildcards.scale!r} has no [analysis] table")
        return (a.runtime if what == "runtime" else a.mem_mb) * attempt
    return resource


def series_inputs(wildcards):
    """The analysis outputs an analysis panel's lines read (workflow/analysis_series.py)."""
    exp_id, panel = figure_panel(wildcards)
    if exp_id != wildcards.figure or not panel.analysis:
        raise ValueError(f"{wildcards.fig} is no analysis panel of {wildcards.figure}")
    return analysis_series.input_files(experiments(wildcards.scale), wildcards.fig, RESULTS_DIR)


def default_figures():
    """Every drawable figure of the scale, and the index, unless experiments= narrows the
    default target (then only the figures it names)."""
    reg = experiments(SCALE)
    if _experiments is None:
        figs = reg.figures()
    else:
        figs = [f for f in reg.figures() if reg.panel(f)[0] in _experiments]
    targets = expand(os.path.join(FIGURES_DIR, "{scale}", "{fig}.png"), scale=SCALE, fig=figs)
    if _experiments is None:
        targets.append(os.path.join(FIGURES_DIR, SCALE, "README.md"))
    return targets


def _print_status():
    reg = experiments(SCALE)
    waiting = [s.line() for s in reg.statuses.values() if s.state in ("partial", "waiting")]
    print(f"registry: scale {SCALE}: {len(reg.tables())} tables buildable, "
          f"{len(waiting)} experiments waiting or partial:", file=sys.stderr)
    for line in waiting:
        print(f"  {line}", file=sys.stderr)


_print_status()


onstart:
    # Through the slurm/ profile: refuse a cluster on which the Slurm plugin would never see its
    # jobs finish (no accounting and a short MinJobAge; workflow/slurm_status_check.py), before
    # anything is submitted.
    plugin = getattr(workflow, "executor_plugin", None)
    if getattr(plugin, "name", None) == "slurm":
        import slurm_status_check
        from snakemake.exceptions import WorkflowError

        settings = workflow.executor_settings
        try:
            slurm_status_check.check(getattr(settings, "status_command", None),
                                     getattr(settings, "init_seconds_before_status_checks", 40))
        except slurm_status_check.SlurmStatusError as e:
            raise WorkflowError(f"Slurm: {e}") from None


wildcard_constraints:
    scale=r"[A-Za-z0-9_-]+",
    variant=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    seed=r"\d+",
    exp=r"table\d+",
    fig=r"figure\d+[a-z]?",
    figure=r"figure\d+",
    # a variant, or "<from>--<to>"; never ending like another output of the same job
    name=r"[A-Za-z0-9][A-Za-z0-9_.-]*(?<!\.eigenvalues)(?<!\.density)(?<!\.curve)",
    model=r"[a-z0-9][a-z0-9.-]*",
    placement=r"[a-z0-9][a-z0-9.-]*",


localrules:
    all,
    generated_data,
    experiment_table,
    status,
    claims,
    figure,
    analysis_series,
    index,


rule all:
    default_target: True
    input:
        default_tables(),
        default_figures(),


def start_log(path, rule_name, wildcards):
    """Starts a training job's log with a header naming the time and the Slurm job; the
    trainer, exec'd so that Slurm's signals reach it, appends. Snakemake removes the log before
    each start, so after a retry or a requeue it is the last start's ("resuming from ... at
    step N"); the plugin's per-job logs (results/slurm-logs/) keep how the earlier ones ended
    ("returned non-zero exit status 138": SIGUSR1)."""
    job = os.environ.get("SLURM_JOB_ID")
    where = f" in Slurm job {job}" if job else ""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "a") as f:
        print(f"# {time.strftime('%Y-%m-%d %H:%M:%S')} rule {rule_name} "
              f"{wildcards.variant}/seed{wildcards.seed}{where}", file=f)


# What one training run writes (rules train and train_mpi): results/<scale>/runs/<variant>/seed<seed>/.
RUN_OUTPUTS = {
    name: f"results/{{scale}}/runs/{{variant}}/seed{{seed}}/{file}"
    for name, file in (("summary", "summary.json"), ("metrics", "metrics.jsonl"),
                       ("timing", "timing.jsonl"), ("effective_config", "config.toml"),
                       ("model", "model.pt"))
}


rule train:
    wildcard_constraints:
        variant=rf"[A-Za-z0-9][A-Za-z0-9_.-]*(?<!-{registry_lib.MPI_SUFFIX})",
    input:
        config=lambda wc: str(variant_of(wc).base_config),
        trainer=ancient(TRAINER),
        start=start_model,
        data=run_data,
    output:
        **RUN_OUTPUTS,
    params:
        run_dir=lambda wc, output: os.path.dirname(output.summary),
        sets=run_sets,
    log:
        "results/{scale}/logs/train/{variant}/seed{seed}.log",
    # Each job gets exactly its threads: oversubscribed OpenMP threads spin-wait and run
    # ~15x slower (bench/oversubscription.sh).
    threads: run_threads
    resources:
        runtime=train_slurm("runtime"),
        mem_mb=train_slurm("mem_mb"),
        cpus_per_task=lambda wildcards, threads: threads,  # one task with `threads` CPUs
        tasks=1,
    run:
        start_log(log[0], rule, wildcards)
        shell(
            "exec {input.trainer} {input.config} --out {params.run_dir} {params.sets}"
            " --set run.threads={threads} >> {log} 2>&1"
        )


# A dataset the workflow makes from data on the machine (a scale's datasets.<role>.generated,
# workflow/experiment_registry/generated_data.py): the small scale's LIBSVM stand-in for w8a.
rule generated_data:
    wildcard_constraints:
        maker="|".join(registry_lib.GENERATED_DATA),
    input:
        script=lambda wc: os.path.join(WORKFLOW_CODE, registry_lib.GENERATED_DATA[wc.maker].script),
    output:
        [os.path.join(RESULTS_DIR, "{scale}", "data", "{maker}", f) for f in registry_lib.GENERATED_FILES],
    params:
        python=sys.executable,
    log:
        "results/{scale}/logs/generated_data/{maker}.log",
    run:
        shell("{params.python} {input.script} {output[0]} > {log} 2>&1")


# A run trained as K MPI ranks, one worker each (scale key mpi_workers; the variant's name ends
# in -mpi). The launcher is the `mpi` resource: mpirun here, `srun --mpi=pmix` in the slurm/
# profile (the Slurm plugin then submits `tasks` tasks of `cpus_per_task` CPUs, and the command
# below starts the ranks). Each rank runs the base config's threads.
rule train_mpi:
    wildcard_constraints:
        variant=rf"[A-Za-z0-9][A-Za-z0-9_.-]*-{registry_lib.MPI_SUFFIX}",
    input:
        config=lambda wc: str(variant_of(wc).base_config),
        trainer=ancient(TRAINER),
        start=start_model,
        data=run_data,
    output:
        **RUN_OUTPUTS,
    params:
        run_dir=lambda wc, output: os.path.dirname(output.summary),
        sets=run_sets,
        rank_threads=run_threads,
    log:
        "results/{scale}/logs/train/{variant}/seed{seed}.log",
    threads: lambda wc: variant_of(wc).ranks * run_threads(wc)
    resources:
        runtime=train_slurm("runtime"),
        mem_mb=train_slurm("mem_mb"),
        mpi=MPI_LAUNCHER,
        tasks=lambda wc: variant_of(wc).ranks,
        cpus_per_task=run_threads,
    run:
        start_log(log[0], rule, wildcards)
        shell(
            "exec {resources.mpi} -n {resources.tasks} {input.trainer} {input.config}"
            " --out {params.run_dir} {params.sets} --set run.threads={params.rank_threads}"
            " >> {log} 2>&1"
        )


# A [benchmark] table's measurement of one model (Tables 6 and 7): no training. The fwd-bwd
# times are measured on the machine that runs this job, with the scale's threads; locally the
# job reserves every core, so that no training shares the machine while it measures.
rule microbench:
    input:
        config=lambda wc: str(benchmark_of(wc)[1].base_config_of(wc.model)),
        microbench=ancient(MICROBENCH),
        declaration=os.path.join(CONFIGS_DIR, "experiments", "{exp}.toml"),
    output:
        "results/{scale}/bench/{exp}/{model}.jsonl",
    params:
        command=lambda wc: benchmark_of(wc)[0].command,
        args=benchmark_args,
        bench_threads=benchmark_threads,
    log:
        "results/{scale}/logs/bench/{exp}/{model}.log",
    threads: lambda wc: machine_cores()
    resources:
        runtime=train_slurm("runtime"),
        mem_mb=train_slurm("mem_mb"),
        cpus_per_task=benchmark_threads,
        tasks=1,
    run:
        shell(
            "{input.microbench} {params.command} {input.config} {params.args}"
            " --set run.threads={params.bench_threads} --out {output} > {log} 2>&1"
        )


# Figure 5's ping-pong between two MPI ranks on one node: launched like train_mpi (the `mpi`
# resource: mpirun here, srun --mpi=pmix through the slurm/ profile); locally it reserves every
# core, like rule microbench.
rule microbench_mpi:
    input:
        microbench=ancient(MICROBENCH),
        declaration=lambda wc: str(latency_benchmark(wc)),
    output:
        "results/{scale}/bench/{fig}/{placement}.jsonl",
    log:
        "results/{scale}/logs/bench/{fig}/{placement}.log",
    threads: lambda wc: max(2, machine_cores())
    resources:
        runtime=train_slurm("runtime"),
        mem_mb=train_slurm("mem_mb"),
        mpi=MPI_LAUNCHER,
        tasks=2,
        cpus_per_task=1,
        nodes=1,
    run:
        shell(
            "{resources.mpi} -n {resources.tasks} {input.microbench} latency --out {output}"
            " > {log} 2>&1"
        )


# Analyses of the saved models of the figures' runs (Figures 4, 13, 14) by localsgd-analyze: one
# job per (command, row) over every seed of the row (an interpolation: per pair of rows, seed i
# with seed i), shared by every figure that draws it (Figure 4 (a) reads Figure 14's Hessians);
# no training, the runs are the ones the figures' declarations train. The scale's [analysis]
# table gives the sizes (workflow/experiment_registry/analyses.py), threads, minutes and
# memory; on Slurm each job is one task with `threads` CPUs, like rule train.
ANALYSIS_LOG = "results/{scale}/logs/analysis/{command}/{name}.log"


rule analysis_hessian:
    input:
        runs=analysis_inputs("hessian"),
        analyzer=ancient(ANALYZER),
    output:
        jsonl="results/{scale}/analysis/hessian/{name}.jsonl",
        csv="results/{scale}/analysis/hessian/{name}.csv",
        eigenvalues="results/{scale}/analysis/hessian/{name}.eigenvalues.jsonl",
        density_csv="results/{scale}/analysis/hessian/{name}.density.csv",
        density="results/{scale}/analysis/hessian/{name}.density.jsonl",
    params:
        prefix=lambda wc, output: output.jsonl[: -len(".jsonl")],
        args=analysis_args("hessian"),
    log:
        ANALYSIS_LOG.replace("{command}", "hessian"),
    threads: analysis_threads
    resources:
        runtime=analysis_slurm("runtime"),
        mem_mb=analysis_slurm("mem_mb"),
        cpus_per_task=lambda wildcards, threads: threads,
        tasks=1,
    run:
        shell(
            "{input.analyzer} hessian --out {params.prefix} {params.args} --threads {threads}"
            " > {log} 2>&1"
        )


rule analysis_interpolate:
    input:
        runs=analysis_inputs("interpolate"),
        analyzer=ancient(ANALYZER),
    output:
        jsonl="results/{scale}/analysis/interpolate/{name}.jsonl",
        csv="results/{scale}/analysis/interpolate/{name}.csv",
    params:
        prefix=lambda wc, output: output.jsonl[: -len(".jsonl")],
        args=analysis_args("interpolate"),
    log:
        ANALYSIS_LOG.replace("{command}", "interpolate"),
    threads: analysis_threads
    resources:
        runtime=analysis_slurm("runtime"),
        mem_mb=analysis_slurm("mem_mb"),
        cpus_per_task=lambda wildcards, threads: threads,
        tasks=1,
    run:
        shell(
            "{input.analyzer} interpolate --out {params.prefix} {params.args} --threads {threads}"
            " > {log} 2>&1"
        )


rule analysis_sharpness:
    input:
        runs=analysis_inputs("sharpness"),
        analyzer=ancient(ANALYZER),
    output:
        jsonl="results/{scale}/analysis/sharpness/{name}.jsonl",
        csv="results/{scale}/analysis/sharpness/{name}.csv",
        curve="results/{scale}/analysis/sharpness/{name}.curve.jsonl",
    params:
        prefix=lambda wc, output: output.jsonl[: -len(".jsonl")],
        args=analysis_args("sharpness"),
    log:
        ANALYSIS_LOG.replace("{command}", "sharpness"),
    threads: analysis_threads
    resources:
        runtime=analysis_slurm("runtime"),
        mem_mb=analysis_slurm("mem_mb"),
        cpus_per_task=lambda wildcards, threads: threads,
        tasks=1,
    run:
        shell(
            "{input.analyzer} sharpness --out {params.prefix} {params.args} --threads {threads}"
            " > {log} 2>&1"
        )


# An analysis panel's lines: the mean over seeds of its analyses' records, one JSON-lines file
# per line, for rule figure (localsgd-analyze lines).
rule analysis_series:
    input:
        analyses=series_inputs,
        declaration=lambda wc: str(experiments(wc.scale).experiments[wc.figure].path),
        scale=os.path.join(CONFIGS_DIR, "scales", "{scale}.toml"),
        series_code=os.path.join(WORKFLOW_CODE, "analysis_series.py"),
        suboptimality_code=os.path.join(WORKFLOW_CODE, "suboptimality_series.py"),
        statistics_code=os.path.join(WORKFLOW_CODE, "claim_statistics.py"),
        registry_code=os.path.join(WORKFLOW_CODE, "registry.py"),
        registry_parts=REGISTRY_PARTS,
    output:
        directory("results/{scale}/analysis/{figure}/series/{fig}"),
    params:
        python=sys.executable,
        configs=lambda wc, input: os.path.dirname(os.path.dirname(input.scale)),
        # results/ of results/{scale}/analysis/{figure}/series/{fig}
        results=lambda wc, output: os.path.normpath(os.path.join(output[0], *[".."] * 5)),
    log:
        "results/{scale}/logs/series/{figure}/{fig}.log",
    run:
        shell(
            "{params.python} {input.series_code} {params.configs} {wildcards.scale}"
            " {wildcards.fig} {params.results} {output} > {log} 2>&1"
        )


# `snakemake --report report.html`: every table and figure of the target, under Tables, Figures,
# Claims and Status, each file with a caption (workflow/report/*.rst, Jinja2 templates filled from the
# job's wildcards and params.caption: workflow/report_captions.py). The report's front page:
report: "workflow/report/workflow.rst"


def table_output(ext):
    """tables/{scale}/{exp}.<ext>, in the report under Tables / {exp}."""
    return report(f"tables/{{scale}}/{{exp}}.{ext}", caption="workflow/report/table.rst",
                  category="Tables", subcategory="{exp}", labels={"table": "{exp}", "file": ext})


def figure_output(ext):
    """figures/{scale}/{fig}.<ext>, in the report under Figures / its figure (figure7 for 7a)."""
    return report(f"figures/{{scale}}/{{fig}}.{ext}", caption="workflow/report/figure.rst",
                  category="Figures", subcategory=lambda wc: figure_panel(wc)[0],
                  labels={"figure": "{fig}", "file": ext})


rule experiment_table:
    input:
        summaries=experiment_summaries,
        declaration=os.path.join(CONFIGS_DIR, "experiments", "{exp}.toml"),
        scale=os.path.join(CONFIGS_DIR, "scales", "{scale}.toml"),
        tables_code=os.path.join(WORKFLOW_CODE, "tables.py"),
        registry_code=os.path.join(WORKFLOW_CODE, "registry.py"),
        registry_parts=REGISTRY_PARTS,
        timing_code=os.path.join(WORKFLOW_CODE, "timing.py"),
        benchmark_code=os.path.join(WORKFLOW_CODE, "benchmark_tables.py"),
    output:
        md=table_output("md"),
        csv=table_output("csv"),
        tex=table_output("tex"),
    params:
        caption=lambda wc: report_captions.table_caption(experiments(wc.scale), wc.exp),
        python=sys.executable,
        configs=lambda wc, input: os.path.dirname(os.path.dirname(input.scale)),
        runs_dir=lambda wc: os.path.join(RESULTS_DIR, wc.scale, "runs"),
    log:
        "results/{scale}/logs/table/{exp}.log",
    run:
        shell(
            "{params.python} {input.tables_code} --experiment {params.configs} {wildcards.scale}"
            " {wildcards.exp} {params.runs_dir} {output.md} {output.csv} {output.tex} > {log} 2>&1"
        )


rule status:
    input:
        declarations=sorted(glob.glob(os.path.join(CONFIGS_DIR, "experiments", "*.toml"))),
        scale=os.path.join(CONFIGS_DIR, "scales", "{scale}.toml"),
        registry_code=os.path.join(WORKFLOW_CODE, "registry.py"),
        registry_parts=REGISTRY_PARTS,
    output:
        report("tables/{scale}/status.md", caption="workflow/report/status.rst",
               category="Status", subcategory="{scale}"),
    params:
        python=sys.executable,
        configs=lambda wc, input: os.path.dirname(os.path.dirname(input.scale)),
    log:
        "results/{scale}/logs/status.log",
    run:
        shell(
            "{params.python} {input.registry_code} status --configs {params.configs}"
            " --scale {wildcards.scale} > {output} 2> {log}"
        )


# The paper's claims (configs/claims.toml) tested on the scale's runs: effect, 95 % interval
# over seeds and verdict per claim; the claims the scale cannot test are listed with why.
# Part of the default target when the scale's runs can test at least one claim.
rule claims:
    input:
        runs=claim_inputs,
        claims=os.path.join(CONFIGS_DIR, claims_lib.CLAIMS_FILE),
        declarations=sorted(glob.glob(os.path.join(CONFIGS_DIR, "experiments", "*.toml"))),
        scale=os.path.join(CONFIGS_DIR, "scales", "{scale}.toml"),
        claims_code=os.path.join(WORKFLOW_CODE, "claims.py"),
        claims_parts=[os.path.join(WORKFLOW_CODE, f) for f in
                      ("claim_declarations.py", "claim_statistics.py", "claims_report.py",
                       "suboptimality_series.py")],
        tables_code=os.path.join(WORKFLOW_CODE, "tables.py"),
        timing_code=os.path.join(WORKFLOW_CODE, "timing.py"),
        registry_code=os.path.join(WORKFLOW_CODE, "registry.py"),
        registry_parts=REGISTRY_PARTS,
    output:
        md=report("tables/{scale}/claims.md", caption="workflow/report/claims.rst",
                  category="Claims", subcategory="{scale}", labels={"file": "md"}),
        csv=report("tables/{scale}/claims.csv", caption="workflow/report/claims.rst",
                   category="Claims", subcategory="{scale}", labels={"file": "csv"}),
    params:
        python=sys.executable,
        configs=lambda wc, input: os.path.dirname(os.path.dirname(input.scale)),
        runs_dir=lambda wc: os.path.join(RESULTS_DIR, wc.scale, "runs"),
    log:
        "results/{scale}/logs/claims.log",
    run:
        shell(
            "{params.python} {input.claims_code} {params.configs} {wildcards.scale}"
            " {params.runs_dir} {output.md} {output.csv} > {log} 2>&1"
        )


# One drawing of a figure declaration ([[panels]] of configs/experiments/figure*.toml) by
# localsgd-analyze: curves or bars over the runs it names, each series averaged over seeds;
# lines over a [benchmark]'s records or over an analysis panel's lines (rule analysis_series).
# The analyzer writes its outputs to temporary names, then renames them into place.
rule figure:
    input:
        runs=figure_inputs,
        analyzer=ancient(ANALYZER),
        declaration=lambda wc: str(
            experiments(wc.scale).experiments[figure_panel(wc)[0]].path
        ),
        scale=os.path.join(CONFIGS_DIR, "scales", "{scale}.toml"),
    output:
        png=figure_output("png"),
        pdf=figure_output("pdf"),
        svg=figure_output("svg"),
        csv=figure_output("csv"),
        gp=figure_output("gp"),
    params:
        caption=lambda wc: report_captions.figure_caption(experiments(wc.scale), wc.fig),
        prefix=lambda wc, output: output.png[: -len(".png")],
        args=figure_args,
    log:
        "results/{scale}/logs/figure/{fig}.log",
    run:
        shell(
            "{input.analyzer} {params.args} --out {params.prefix} > {log} 2>&1"
        )


def index_inputs(wildcards):
    """Every table and figure of the scale: the index links only to files that exist."""
    reg = experiments(wildcards.scale)
    out = expand(os.path.join(TABLES_DIR, "{scale}", "{exp}.{ext}"), scale=wildcards.scale,
                  exp=reg.tables(), ext=["md", "csv", "tex"])
    out += expand(os.path.join(FIGURES_DIR, "{scale}", "{fig}.{ext}"), scale=wildcards.scale,
                  fig=reg.figures(), ext=["png", "pdf", "svg", "csv", "gp"])
    out.append(os.path.join(TABLES_DIR, wildcards.scale, "status.md"))
    if claims_lib.testable(reg, claims_at(wildcards.scale)):
        out += expand(os.path.join(TABLES_DIR, "{scale}", "claims.{ext}"),
                      scale=wildcards.scale, ext=["md", "csv"])
    return out


# figures/<scale>/README.md: caption, settings and links of every table and figure, and what
# the others wait for; tables/<scale>/README.md points to it. Written to temporary names, then
# renamed (workflow/index.py).
rule index:
    input:
        built=index_inputs,
        declarations=sorted(glob.glob(os.path.join(CONFIGS_DIR, "experiments", "*.toml"))),
        scale=os.path.join(CONFIGS_DIR, "scales", "{scale}.toml"),
        index_code=os.path.join(WORKFLOW_CODE, "index.py"),
    output:
        index="figures/{scale}/README.md",
        tables_index="tables/{scale}/README.md",
    params:
        python=sys.executable,
        configs=lambda wc, input: os.path.dirname(os.path.dirname(input.scale)),
    log:
        "results/{scale}/logs/index.log",
    run:
        shell(
            "{params.python} {input.index_code} {params.configs} {wildcards.scale}"
            " figures/{wildcards.scale} tables/{wildcards.scale} > {log} 2>&1"
        )
