#!/usr/bin/env bash
# The Snakemake workflow through Slurm: runs the "smoke" scale with the slurm/ profile
# (snakemake-executor-plugin-slurm, squeue status checks, no sacct) on a private single-node
# Slurm cluster (tests/slurm/cluster.sh: own ports, state directory and PID files, stopped on
# exit whatever happens), and the same scale locally, each in its own working directory
# (--directory) with build/localsgd-train a symlink to the trainer under test. Checks that
#   (a) every training run was a Slurm job: slurmctld lists one COMPLETED job per run, with the
#       plugin's rule_train comment, and the plugin wrote its per-job log; the scale's MPI run
#       (rule train_mpi, mpi_workers = [2]) was one job of 2 tasks whose ranks srun --mpi=pmix
#       started (summary.json: backend mpi);
#   (b) the outputs equal the local run: every run's metrics.jsonl and every table .csv are
#       byte-identical (the trainer is deterministic), the tables' seconds columns aside;
#   (c) the analyses of Figures 4, 13 and 14 (rules analysis_*) were Slurm jobs too.
# Usage: tests/slurm_workflow_test.sh path/to/localsgd-train [path/to/localsgd-analyze]
#        (as root; needs scripts/setup.sh's Slurm and .venv's Snakemake 9 + the Slurm plugin;
#        the analyzer defaults to the one beside the trainer, $SNAKEMAKE to .venv/bin/snakemake)
set -uo pipefail
# The local reference run starts its MPI rule with mpirun, which refuses root without these.
[[ $(id -u) -eq 0 ]] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
TRAINER="${1:?usage: slurm_workflow_test.sh path/to/localsgd-train [path/to/localsgd-analyze]}"
TRAINER="$(cd "$(dirname "$TRAINER")" && pwd -P)/$(basename "$TRAINER")"
ANALYZER="${2:-$(dirname "$TRAINER")/localsgd-analyze}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(dirname "$HERE")"
SNAKEMAKE="${SNAKEMAKE:-$ROOT/.venv/bin/snakemake}"
CLUSTER="$HERE/slurm/cluster.sh"
RUN_BOUND=360   # seconds for one whole workflow run (smoke: ~50 s locally, 157 s through Slurm on an idle
                # machine, 237 s with another test running, 2026-12-01)
SCALE=smoke

TEST_NAME="slurm workflow tests"
# shellcheck source=slurm/test_lib.sh
source "$HERE/slurm/test_lib.sh"

[[ -x "$TRAINER" ]] || { not_ok "$TRAINER is not an executable"; finish; }
[[ -x "$ANALYZER" ]] || { not_ok "$ANALYZER is not an executable (the figure rules need it)"; finish; }
[[ -x "$(dirname "$TRAINER")/localsgd-microbench" ]] ||
  { not_ok "localsgd-microbench is not beside $TRAINER (the benchmark rules need it)"; finish; }
ANALYZER="$(cd "$(dirname "$ANALYZER")" && pwd -P)/$(basename "$ANALYZER")"
[[ -x "$SNAKEMAKE" ]] || { not_ok "$SNAKEMAKE not found: create .venv (scripts/setup.sh)"; finish; }
require_slurm_tools

make_test_dir localsgd-slurmwf slurm_workflow_test.sh
local_pid=""
cleanup() {
  [[ -n "$local_pid" ]] && kill "$local_pid" 2>/dev/null
  bash "$CLUSTER" stop "$TMP/cluster" || echo "slurm_workflow_test.sh: stopping the cluster failed" >&2
  if [[ $failed -eq 0 ]]; then rm -rf "$TMP"; else echo "slurm_workflow_test.sh: kept $TMP" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

for d in local slurm; do
  mkdir -p "$TMP/$d/build"
  ln -s "$TRAINER" "$TMP/$d/build/localsgd-train"
  ln -s "$ANALYZER" "$TMP/$d/build/localsgd-analyze"   # the figure rules draw with it
  ln -s "$(dirname "$TRAINER")/localsgd-microbench" "$TMP/$d/build/localsgd-microbench"  # tables 6, 7
done

started=$(date +%s)
# The local reference run, meanwhile the cluster starts.
(cd "$TMP" && timeout "$RUN_BOUND" "$SNAKEMAKE" -s "$ROOT/Snakefile" --directory "$TMP/local" \
   --config scale=$SCALE --cores 2 >"$TMP/local.log" 2>&1) &
local_pid=$!

if ! bash "$CLUSTER" start "$TMP/cluster"; then
  not_ok "private Slurm cluster did not start (log above)"; finish
fi
eval "$(bash "$CLUSTER" env "$TMP/cluster")"
ok "private Slurm cluster up in $(($(date +%s) - started))s ($SLURM_CONF)"
# The cluster's clients find their configuration only through SLURM_CONF (no
# /etc/slurm/slurm.conf), like a module-installed Slurm: the job-step plugin removes it from the
# srun it starts in every job, and the workflow has to put it back
# (workflow/slurm_client_config.py); nothing here helps it.
# This cluster has MpiDefault=pmix, so that one-task srun sets PMIX_RANK: the runs then also
# check that localsgd-train (comm.backend = auto) simulates its workers in a one-rank job.

wait "$local_pid"; rc=$?; local_pid=""
if [[ $rc -ne 0 ]]; then
  not_ok "local run of scale $SCALE failed (rc $rc): $(tail -n 5 "$TMP/local.log")"; finish
fi
ok "local run of scale $SCALE"

# The plugin keeps using squeue only while MinJobAge >= 3 x the first status-check delay.
INIT=2
min_age=$(scontrol show config | awk -F= '/^MinJobAge/ {gsub(/[^0-9]/, "", $2); print $2}')
if [[ "${min_age:-0}" -ge $((3 * INIT)) ]]; then
  ok "MinJobAge=$min_age s >= 3 x $INIT s: the plugin's squeue status checks apply"
else
  not_ok "MinJobAge=${min_age:-?} is below 3 x $INIT s"
fi

# The Slurm run: the project's profile as is, except a shorter first status check and
# latency-wait (one local disk) so the test stays short. sacct exists but fails here
# (no accounting): only the profile's squeue status command lets the run finish.
t0=$(date +%s)
(cd "$TMP" && USER="${USER:-$(id -un)}" timeout "$RUN_BOUND" "$SNAKEMAKE" -s "$ROOT/Snakefile" \
   --directory "$TMP/slurm" --profile "$ROOT/slurm" --config scale=$SCALE \
   --slurm-init-seconds-before-status-checks $INIT --latency-wait 5 --jobs 6) \
   >"$TMP/slurm.log" 2>&1
rc=$?
if [[ $rc -ne 0 ]]; then
  not_ok "Slurm run of scale $SCALE failed (rc $rc): $(grep -iE 'error|fail' "$TMP/slurm.log" | tail -n 8)"
  finish
fi
ok "Slurm run of scale $SCALE with --profile slurm in $(($(date +%s) - t0))s"

# (a) Slurm's own record: one COMPLETED job per training run, submitted by the plugin.
mapfile -t runs < <(cd "$TMP/local" && find results/$SCALE/runs -name metrics.jsonl | sort)
n_runs=${#runs[@]}
[[ $n_runs -gt 0 ]] || { not_ok "the local run produced no metrics.jsonl"; finish; }
jobs=$(squeue --states=all -h -o '%i|%T|%k')
n_train=$(grep -c '|rule_train_' <<<"$jobs")
n_done=$(grep -c '|COMPLETED|rule_train_' <<<"$jobs")
if [[ $n_train -eq $n_runs && $n_done -eq $n_runs ]]; then
  ok "squeue --states=all: $n_done COMPLETED rule_train jobs = $n_runs runs"
else
  not_ok "squeue --states=all lists $n_train rule_train jobs ($n_done COMPLETED), expected $n_runs:"
  echo "$jobs" | head -n 20
fi
if grep -v -e '|rule_train_' -e '|rule_microbench_' -e '|rule_analysis_hessian_' \
     -e '|rule_analysis_interpolate_' -e '|rule_analysis_sharpness_' <<<"$jobs" | grep -q '|rule_'; then
  not_ok "a localrule was submitted to Slurm"
else
  ok "only rules train, microbench and the analyses went to Slurm (tables, figures and status ran locally)"
fi
# The analyses of the saved models (Figures 4, 13, 14): Slurm jobs with the smoke scale's
# [analysis] resources (threads = 1, runtime = 10 min), each once: 4 Hessians (Figure 14's
# rows, two of which Figure 4 (a) reads), 1 interpolation, 3 sharpness (Figure 13's rows).
n_analysis=$(grep -c '|COMPLETED|rule_analysis_' <<<"$jobs")
aid=$(grep '|rule_analysis_hessian_' <<<"$jobs" | head -n 1 | cut -d'|' -f1)
if [[ $n_analysis -eq 8 && -n "$aid" ]] && scontrol show job "$aid" | grep -q 'NumTasks=1 .*CPUs/Task=1' &&
   scontrol show job "$aid" | grep -q 'TimeLimit=00:10:00'; then
  ok "8 COMPLETED analysis jobs; job $aid: 1 task, 1 CPU, 10 min (configs/scales/smoke.toml [analysis])"
else
  not_ok "expected 8 COMPLETED rule_analysis_* jobs of 1 task, 1 CPU, 10 min (got $n_analysis;" \
    "job ${aid:-?}: $(scontrol show job "$aid" 2>&1 | grep -E 'NumTasks|TimeLimit'))"
fi
id=$(grep '|rule_train_' <<<"$jobs" | grep -v '|rule_train_mpi_' | head -n 1 | cut -d'|' -f1)
if [[ -n "$id" ]] && scontrol show job "$id" | grep -q 'NumTasks=1 .*CPUs/Task=1' &&
   scontrol show job "$id" | grep -q 'TimeLimit=00:10:00'; then
  ok "job $id: 1 task, 1 CPU, 10 min (the Snakefile's smoke resources)"
else
  not_ok "job ${id:-?}: unexpected request: $(scontrol show job "$id" 2>&1 | grep -E 'NumTasks|TimeLimit')"
fi
mpi_ids=$(grep '|COMPLETED|rule_train_mpi_' <<<"$jobs" | cut -d'|' -f1)
mpi_runs=$(cd "$TMP/slurm" && grep -l '"backend": "mpi"' results/$SCALE/runs/*/seed*/summary.json 2>/dev/null)
if [[ $(wc -w <<<"$mpi_ids") -eq 1 ]] && scontrol show job "$mpi_ids" | grep -q 'NumTasks=2 ' &&
   [[ $(wc -w <<<"$mpi_runs") -eq 1 && "$mpi_runs" == *-mpi/* ]]; then
  ok "MPI rule: job $mpi_ids ran 2 tasks, and ${mpi_runs%/summary.json} says backend mpi"
else
  not_ok "MPI rule: expected one COMPLETED rule_train_mpi job of 2 tasks (got '${mpi_ids}':" \
    "$(scontrol show job "$mpi_ids" 2>&1 | grep -oE 'NumTasks=[0-9]+' | head -n 1)) and one" \
    "run whose summary says backend mpi (got '${mpi_runs}')"
fi
n_logs=$(find "$TMP/slurm/results/slurm-logs" -path '*/rule_train*' -name '*.log' 2>/dev/null | wc -l)
if [[ $n_logs -eq $n_runs ]]; then
  ok "the plugin wrote $n_logs per-job logs under results/slurm-logs/rule_train*"
else
  not_ok "expected $n_runs plugin logs under results/slurm-logs/rule_train*, found $n_logs"
fi

# (b) Slurm outputs = local outputs. (Figures are not compared: some plot wall-clock time.)
mapfile -t tables < <(cd "$TMP/local" && find tables/$SCALE -name '*.csv' 2>/dev/null | sort)
mapfile -t tables_s < <(cd "$TMP/slurm" && find tables/$SCALE -name '*.csv' 2>/dev/null | sort)
mapfile -t runs_s < <(cd "$TMP/slurm" && find results/$SCALE/runs -name metrics.jsonl 2>/dev/null | sort)
if [[ "${tables[*]}" == "${tables_s[*]}" && "${runs[*]}" == "${runs_s[*]}" ]]; then
  ok "same files: ${#tables[@]} table .csv and $n_runs runs' metrics.jsonl"
else
  not_ok "the two runs produced different file sets"
fi
# The columns of a table .csv that come from measured time (modelled seconds include measured
# compute; Table 7 times the machine) differ between any two runs and are dropped before
# comparing: seconds, rates, speedups, time ratios, and iterations timed to a budget.
deterministic_columns() {
  "$ROOT/.venv/bin/python" -c 'import csv, re, sys
rows = list(csv.reader(open(sys.argv[1])))
keep = [i for i, h in enumerate(rows[0]) if not re.search(r"(_s|_s_mean|_s_std|_per_s|^speedup_mean|^speedup_std|_time_ratio|^iterations)$", h)]
csv.writer(sys.stdout, lineterminator="\n").writerows([[r[i] for i in keep] for r in rows])' "$1"
}
diffs=0
for f in "${tables[@]}"; do
  if ! cmp -s <(deterministic_columns "$TMP/local/$f") <(deterministic_columns "$TMP/slurm/$f"); then
    not_ok "$f differs between the local and the Slurm run (seconds columns aside)"
    diff <(deterministic_columns "$TMP/local/$f") <(deterministic_columns "$TMP/slurm/$f") 2>&1 | head -n 4
    diffs=$((diffs + 1))
  fi
done
for f in "${runs[@]}"; do
  if ! cmp -s "$TMP/local/$f" "$TMP/slurm/$f"; then
    not_ok "$f differs between the local and the Slurm run"
    diff "$TMP/local/$f" "$TMP/slurm/$f" 2>&1 | head -n 4
    diffs=$((diffs + 1))
  fi
done
[[ $diffs -eq 0 ]] &&
  ok "identical to the local run: ${tables[*]##*/} (seconds columns aside) and $n_runs metrics.jsonl"

finish
