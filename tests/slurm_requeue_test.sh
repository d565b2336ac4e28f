#!/usr/bin/env bash
# Training jobs through the slurm/ profile survive a requeue and their time limit, resuming from
# the trainer's checkpoint, on a private single-node cluster (tests/slurm/cluster.sh, found
# through SLURM_CONF only) whose default is JobRequeue=0, so that only the profile's
# `slurm-requeue: true` (sbatch --requeue) makes jobs requeueable. One training run of a test
# scale written here (Figure 7's local SGD, H = 2: 4096 images, epochs for about 120 s of
# training on this machine, a checkpoint every 4 steps), three times, each in its own working
# directory:
#   ref  locally, uninterrupted: the reference;
#   rq   through the profile; `scontrol requeue` once its first checkpoint exists: the trainer
#        gets SIGTERM, writes a checkpoint and exits, Slurm starts the job again (Restarts=1),
#        the trainer resumes;
#   sig  through the profile with --signal=USR1@20 (the profile's pre-timeout signal, its lead
#        shortened to fit a short limit) and, once its first checkpoint exists (the trainer is
#        running, whatever Snakemake's start-up took), a time limit cut to 1 minute
#        (`scontrol update TimeLimit=1`): Slurm sends SIGUSR1 into the plugin's job step at its
#        next time-limit check (they are 30 s apart), the trainer stops with exit status 138
#        (128 + SIGUSR1; Snakemake in the step survives it), the job fails before its limit, and
#        Snakemake's retry resumes it.
# Checks: both resumed ("resuming from" in the trainer's log), their metrics.jsonl and model.pt
# are byte-identical to ref's, and Slurm's records say what happened.
# Usage: tests/slurm_requeue_test.sh path/to/localsgd-train   (as root; needs scripts/setup.sh's
#        Slurm and .venv's Snakemake 9 + the Slurm plugin; $SNAKEMAKE: default .venv/bin/snakemake)
set -uo pipefail
TRAINER="${1:?usage: slurm_requeue_test.sh path/to/localsgd-train}"
TRAINER="$(cd "$(dirname "$TRAINER")" && pwd -P)/$(basename "$TRAINER")"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(dirname "$HERE")"
SNAKEMAKE="${SNAKEMAKE:-$ROOT/.venv/bin/snakemake}"
CLUSTER="$HERE/slurm/cluster.sh"
RUN_BOUND=420     # seconds for each of the three runs (2-4 min, all three at once)
VARIANT=local-k16-b8-h2
RUN="results/requeue/runs/$VARIANT/seed1"
LOG="results/requeue/logs/train/$VARIANT/seed1.log"

TEST_NAME="slurm requeue tests"
# shellcheck source=slurm/test_lib.sh
source "$HERE/slurm/test_lib.sh"

[[ -x "$TRAINER" ]] || { not_ok "$TRAINER is not an executable"; finish; }
[[ -x "$SNAKEMAKE" ]] || { not_ok "$SNAKEMAKE not found: create .venv (scripts/setup.sh)"; finish; }
require_slurm_tools

make_test_dir localsgd-slurmrq slurm_requeue_test.sh
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  bash "$CLUSTER" stop "$TMP/cluster" || echo "slurm_requeue_test.sh: stopping the cluster failed" >&2
  if [[ $failed -eq 0 ]]; then rm -rf "$TMP"; else echo "slurm_requeue_test.sh: kept $TMP" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The run must outlast sig's cut limit: Slurm signals 20 s before the 1-minute limit at one of
# its time-limit checks (30 s apart), so up to 70 s after the job started. Machines here differ
# 5x in speed on this run, so its epochs come from one measured epoch of it (start-up
# included): about 120 s of training, at least the 6 epochs it had.
probe_start=$(date +%s%N)
if ! "$TRAINER" "$ROOT/configs/small/fashion-mnist.toml" --out "$TMP/probe" \
     --set 'algorithm.kind="local"' --set algorithm.workers=16 --set algorithm.local_batch=8 \
     --set algorithm.local_steps=2 --set run.epochs=1.0 --set run.eval_every_epochs=0.5 \
     --set data.train_subset=4096 --set data.test_subset=256 --set data.eval_batch=256 \
     --set model.depth=8 --set schedule.warmup_epochs=0.0 --set run.threads=1 >"$TMP/probe.log" 2>&1; then
  not_ok "the one-epoch probe run failed: $(tail -n 3 "$TMP/probe.log")"; finish
fi
probe_ms=$(( ($(date +%s%N) - probe_start) / 1000000 ))
EPOCHS=$(( 120000 / (probe_ms > 0 ? probe_ms : 1) ))
(( EPOCHS < 6 )) && EPOCHS=6
(( EPOCHS > 100 )) && EPOCHS=100
echo "# one epoch took ${probe_ms} ms: the runs train ${EPOCHS} epochs"

# The workflow with one more scale (configs/ is the project's otherwise).
WF="$TMP/wf"
mkdir -p "$WF"
cp -r "$ROOT/Snakefile" "$ROOT/workflow" "$ROOT/configs" "$ROOT/profiles" "$ROOT/slurm" "$WF/"
rm -rf "$WF/workflow/__pycache__"
cat >"$WF/configs/scales/requeue.toml" <<EOF
# Written by tests/slurm_requeue_test.sh: Figure 7's runs, about 120 s each on one core.
name = "requeue"
description = "requeue and pre-timeout signal test"
base_config = "../small/fashion-mnist.toml"
seeds = [1]
local_batch_factor = 0.0625
epochs = $EPOCHS
lr = 0.1
experiments = ["figure7"]

[trainer]
"run.epochs" = $EPOCHS.0
"run.eval_every_epochs" = 0.5
"run.checkpoint_every_steps" = 4
"data.train_subset" = 4096
"data.test_subset" = 256
"data.eval_batch" = 256
"model.depth" = 8
"schedule.warmup_epochs" = 0.0

[datasets.cifar10]
name = "fashion-mnist"

[models.resnet20]
EOF
for d in ref rq sig; do
  mkdir -p "$TMP/$d/build"
  ln -s "$TRAINER" "$TMP/$d/build/localsgd-train"
done

started=$(date +%s)
(cd "$TMP" && timeout -k 5 "$RUN_BOUND" "$SNAKEMAKE" -s "$WF/Snakefile" --directory "$TMP/ref" \
   --config scale=requeue --cores 1 -- "$RUN/summary.json" >"$TMP/ref.log" 2>&1) &
ref_pid=$!
pids+=("$ref_pid")

# JobRequeue=0: jobs are requeueable only if submitted with --requeue. cred_expire=10: a
# requeued job waits 10 s before it starts again instead of 120.
if ! CLUSTER_EXTRA_CONF=$'JobRequeue=0\nAuthInfo=cred_expire=10' bash "$CLUSTER" start "$TMP/cluster"; then
  not_ok "private Slurm cluster did not start (log above)"; finish
fi
eval "$(bash "$CLUSTER" env "$TMP/cluster")"
requeue_conf=""
for _ in 1 2 3 4 5; do   # (slurmctld may be slow to answer right after it started)
  requeue_conf=$(scontrol show config 2>&1 | grep -E '^JobRequeue ') && break
  sleep 1
done
if grep -qE '^JobRequeue += 0' <<<"$requeue_conf"; then
  ok "cluster up (JobRequeue=0: only sbatch --requeue makes a job requeueable)"
else
  not_ok "the cluster's JobRequeue is not 0: '$requeue_conf'"
fi

slurm_run() {  # NAME, options...: the project's profile, this run, in $TMP/NAME
  local name="$1"; shift
  (cd "$TMP" && USER="${USER:-$(id -un)}" timeout -k 5 "$RUN_BOUND" "$SNAKEMAKE" -s "$WF/Snakefile" \
     --directory "$TMP/$name" --profile "$WF/slurm" --config scale=requeue \
     --slurm-init-seconds-before-status-checks 2 --latency-wait 5 "$@" -- "$RUN/summary.json") \
    >"$TMP/$name.log" 2>&1
}
# rq: the profile as is (for a scale it does not know the Snakefile asks for 12 h and 4 GB).
# (A --set-resources on the command line would replace the profile's whole set-resources.)
slurm_run rq &
rq_pid=$!
pids+=("$rq_pid")
# sig: SIGUSR1 20 s before the limit, 10 minutes (cut to 1 below). (These replace the profile's
# set-resources, so slurm_extra is given again.)
slurm_run sig --set-resources train:mem_mb=1000 train:runtime=10 \
  "train:slurm_extra='--signal=USR1@20'" &
sig_pid=$!
pids+=("$sig_pid")

# Once a run has a checkpoint (its trainer runs), its job: rq's is requeued, sig's time limit
# cut to 1 minute.
job_with_checkpoint() {  # NAME: the running job of $TMP/NAME once its run has a checkpoint
  [[ -f "$TMP/$1/$RUN/checkpoint.pt" ]] || return 1
  squeue -h -t RUNNING -o '%i|%Z' | grep "|$TMP/$1\$" | cut -d'|' -f1 | grep .
}
rq_job="" sig_job=""
for _ in $(seq 1 $((RUN_BOUND * 5))); do
  if [[ -z "$rq_job" ]] && rq_job=$(job_with_checkpoint rq); then
    if scontrol requeue "$rq_job" 2>"$TMP/requeue.err"; then
      ok "rq: scontrol requeue $rq_job after its first checkpoint ($(($(date +%s) - started))s)"
    else
      not_ok "rq: scontrol requeue $rq_job refused: $(cat "$TMP/requeue.err")"
    fi
  fi
  if [[ -z "$sig_job" ]] && sig_job=$(job_with_checkpoint sig); then
    if scontrol update JobId="$sig_job" TimeLimit=1 2>"$TMP/update.err"; then
      ok "sig: job $sig_job's time limit cut to 1 minute after its first checkpoint ($(($(date +%s) - started))s)"
    else
      not_ok "sig: scontrol update JobId=$sig_job TimeLimit=1 failed: $(cat "$TMP/update.err")"
    fi
  fi
  [[ -n "$rq_job" && -n "$sig_job" ]] && break
  kill -0 "$rq_pid" 2>/dev/null || kill -0 "$sig_pid" 2>/dev/null || break
  sleep 0.2
done
[[ -n "$rq_job" ]] || { not_ok "rq: no running job with a checkpoint: $(tail -n 5 "$TMP/rq.log")"; finish; }
[[ -n "$sig_job" ]] || { not_ok "sig: no running job with a checkpoint: $(tail -n 5 "$TMP/sig.log")"; finish; }

wait "$ref_pid"; ref_rc=$?; echo "# ref done after $(($(date +%s) - started))s"
wait "$sig_pid"; sig_rc=$?; echo "# sig done after $(($(date +%s) - started))s"
wait "$rq_pid"; rq_rc=$?; echo "# rq done after $(($(date +%s) - started))s"
pids=()
[[ $ref_rc -eq 0 && -f "$TMP/ref/$RUN/model.pt" ]] ||
  { not_ok "ref: the local run failed (rc $ref_rc): $(tail -n 5 "$TMP/ref.log")"; finish; }

same_as_ref() {  # NAME
  if cmp -s "$TMP/ref/$RUN/metrics.jsonl" "$TMP/$1/$RUN/metrics.jsonl" &&
     cmp -s "$TMP/ref/$RUN/model.pt" "$TMP/$1/$RUN/model.pt"; then
    ok "$1: metrics.jsonl and model.pt byte-identical to the uninterrupted run's"
  else
    not_ok "$1: the resumed run differs from the uninterrupted one"
    diff "$TMP/ref/$RUN/metrics.jsonl" "$TMP/$1/$RUN/metrics.jsonl" 2>&1 | head -n 4
  fi
}
resumed() {  # NAME: the trainer's log (the last start's) says it resumed from a checkpoint
  local line
  line=$(grep -m1 '# localsgd-train: resuming from .*checkpoint.pt at step [1-9]' "$TMP/$1/$LOG")
  if [[ -n "$line" ]]; then ok "$1: the trainer's log says: ${line#\# }"; else
    not_ok "$1: the trainer's log does not say it resumed: $(tail -n 3 "$TMP/$1/$LOG" 2>&1)"; fi
}

# rq: one job, run twice (Restarts=1), requeueable because the profile said --requeue, then
# completed; the trainer resumed.
if [[ $rq_rc -eq 0 ]]; then ok "rq: the run through the profile completed"; else
  not_ok "rq: the run failed (rc $rq_rc): $(grep -iE 'error|fail' "$TMP/rq.log" | tail -n 5)"; fi
rec=$(scontrol show job "$rq_job" 2>&1)
if grep -q 'JobState=COMPLETED' <<<"$rec" && grep -q 'Requeue=1 Restarts=1 ' <<<"$rec"; then
  ok "rq: job $rq_job COMPLETED after one restart (Requeue=1 Restarts=1)"
else
  not_ok "rq: job $rq_job: $(grep -oE 'JobState=[A-Z_]+|Requeue=[0-9]+ Restarts=[0-9]+' <<<"$rec" | tr '\n' ' ')"
fi
if [[ $(grep -c '|rule_train_' <<<"$(squeue --states=all -h -o '%i|%Z|%k' | grep "|$TMP/rq|")") -eq 1 ]]; then
  ok "rq: no resubmission: the requeued job itself resumed"
else
  not_ok "rq: more than one job was submitted for the run"
fi
if grep -q 'slurm_extra=--signal=USR1@300' "$TMP/rq.log"; then
  ok "rq: the profile asks for SIGUSR1 300 s before the time limit (slurm_extra=--signal=USR1@300)"
else
  not_ok "rq: the job was not submitted with the profile's --signal=USR1@300"
fi
resumed rq
same_as_ref rq

# sig: the first job stopped by SIGUSR1 before its 1-minute limit, exit status 138 from the
# trainer inside the plugin's srun step; the retry resumed.
if [[ $sig_rc -eq 0 ]]; then ok "sig: the run through the profile completed"; else
  not_ok "sig: the run failed (rc $sig_rc): $(grep -iE 'error|fail' "$TMP/sig.log" | tail -n 5)"; fi
mapfile -t sig_jobs < <(squeue --states=all -h -o '%i|%Z|%T|%l|%M' | grep "|$TMP/sig|" | sort -n)
first="${sig_jobs[0]:-}" second="${sig_jobs[1]:-}"
IFS='|' read -r id1 _ state1 limit1 ran1 <<<"$first"
IFS='|' read -r id2 _ state2 limit2 _ <<<"$second"
if [[ ${#sig_jobs[@]} -eq 2 && "$id1" == "$sig_job" && "$state1" == FAILED && "$limit1" == 1:00 &&
      "$state2" == COMPLETED && "$limit2" == 10:00 ]]; then
  ok "sig: job $id1 (limit 1 min) FAILED after $ran1, before its limit; the retry, job $id2 (10 min), COMPLETED"
else
  not_ok "sig: expected a FAILED 1-minute job and a COMPLETED 10-minute retry: ${sig_jobs[*]}"
fi
slurm_log=$(find "$TMP/sig/results/slurm-logs" -name "${id1:-none}.log" 2>/dev/null | head -n 1)
if [[ -n "$slurm_log" ]] && grep -q 'localsgd-train .*returned non-zero exit status 138' "$slurm_log"; then
  ok "sig: in job $id1 the trainer itself stopped on SIGUSR1 (exit status 138 = 128 + 10, $(basename "$slurm_log"))"
else
  not_ok "sig: job ${id1:-?}'s log does not show the trainer stopping with exit status 138"
fi
resumed sig
same_as_ref sig

finish
