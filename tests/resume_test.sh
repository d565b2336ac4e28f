#!/usr/bin/env bash
# Exact resume: a run killed with SIGKILL at several points (checkpoints every step, so some
# kills land inside a checkpoint write) and started again on the same directory ends with
# metrics.jsonl and model.pt byte-identical to the uninterrupted run's, simulated and as MPI
# ranks; a checkpoint of another config, and a damaged one, are refused with the file named.
#   bash tests/resume_test.sh LOCALSGD_TRAIN
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRAIN="${1:?usage: resume_test.sh LOCALSGD_TRAIN}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# A resumed run that hangs (ranks resuming at different steps wait for each other forever) fails
# here within LIMIT seconds instead of at the test's timeout.
LIMIT=120
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # ok, not_ok, check and the tally
CONFIG="$ROOT/tests/configs/tiny-run.toml"
# 8 epochs of 512 images, 4 x 8 per step: 128 steps; a learning-rate warm-up over the first 3
# epochs; post-local SGD switching at epoch 4, then H = 3 local steps between averages.
# Straggling workers too (1 ms at probability 0.2): their clocks, in metrics.jsonl's
# straggler_seconds, must come back from the checkpoint as they were.
SETS=(--set run.epochs=8 --set run.eval_every_epochs=0.5 --set algorithm.kind=postlocal
      --set algorithm.local_steps=3 --set algorithm.switch_epoch=4 --set run.checkpoint_every_steps=1
      --set schedule.warmup_epochs=3 --set comm.straggler_probability=0.2
      --set comm.straggler_seconds=0.001)

same_as() {  # DIR REFERENCE
  cmp -s "$1/metrics.jsonl" "$2/metrics.jsonl" && cmp -s "$1/model.pt" "$2/model.pt"
}

# kill_and_resume NAME EPOCH:DELAY LAUNCH...: starts the run, SIGKILLs it DELAY seconds after its
# evaluation line of epoch EPOCH appears (where the run is, whatever the machine's speed; the
# delays, a fraction of the half epoch to the next line, move the kill among the steps, syncs and
# checkpoint writes after it), then runs it again to completion on the same directory.
kill_and_resume() {
  local name="$1" epoch="${2%%:*}" delay="${2##*:}"; shift 2
  "$@" --out "$TMP/$name" "${SETS[@]}" >"$TMP/$name.log" 2>&1 &
  local pid=$! waited=0
  until grep -q "^epoch $epoch " "$TMP/$name.log" 2>/dev/null || [[ "$waited" -ge 2400 ]]; do
    sleep 0.05; waited=$((waited + 1))
  done
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null
  pkill -9 -f -- "--out $TMP/$name " 2>/dev/null  # MPI ranks outlive a killed mpirun briefly
  wait "$pid" 2>/dev/null
  sleep 0.2
  local had=0
  ls "$TMP/$name"/checkpoint.* >/dev/null 2>&1 && had="$(ls "$TMP/$name" | grep -c '^checkpoint\.')"
  [[ "$had" -gt 0 ]] && with_checkpoint=$((with_checkpoint + 1))
  [[ -e "$TMP/$name/summary.json" ]] && { not_ok "$name: completed before the kill at epoch $epoch"; return; }
  timeout -k 5 "$LIMIT" "$@" --out "$TMP/$name" "${SETS[@]}" >>"$TMP/$name.log" 2>&1 ||
    { not_ok "$name: the resumed run failed or hung"; tail -3 "$TMP/$name.log"; return; }
  echo "# $name: killed ${delay}s after epoch $epoch, $(grep -o 'resuming from .* at step [0-9]*' "$TMP/$name.log" | sed 's/.* at //'), checkpoint files left: $had"
}

"$TRAIN" "$CONFIG" --out "$TMP/whole" "${SETS[@]}" >"$TMP/whole.log" 2>&1 || { echo "the reference run failed"; exit 1; }
if ls "$TMP/whole"/checkpoint.* >/dev/null 2>&1; then not_ok "a completed run leaves its checkpoint"; else ok "a completed run removes its checkpoint"; fi
tried=0 survived=0 with_checkpoint=0
# In the warm-up (epochs 0-3), at the post-local switch (epoch 4), in the local phase.
for epoch in 1.00:0 2.50:0.15 4.00:0 4.50:0.1 6.00:0.25 7.50:0.05; do
  kill_and_resume "sim-$epoch" "$epoch" "$TRAIN" "$CONFIG"
  tried=$((tried + 1))
  if same_as "$TMP/sim-$epoch" "$TMP/whole"; then survived=$((survived + 1)); else not_ok "killed at epoch $epoch: resumed run differs"; fi
done
[[ "$survived" -eq "$tried" ]] && ok "simulated: $survived of $tried kill points resumed byte-identical"
# The kills must land in training, after checkpoints were written, or the test proves nothing.
if [[ "$with_checkpoint" -eq "$tried" ]]; then ok "simulated: $with_checkpoint of $tried kills left a checkpoint to resume from"
else not_ok "only $with_checkpoint of $tried kills left a checkpoint"; fi

mpirun -np 4 --oversubscribe "$TRAIN" "$CONFIG" --out "$TMP/mpi-whole" "${SETS[@]}" --set comm.backend=mpi \
  >"$TMP/mpi-whole.log" 2>&1 || { echo "the MPI reference run failed"; tail -3 "$TMP/mpi-whole.log"; exit 1; }
same_as "$TMP/mpi-whole" "$TMP/whole" && ok "MPI with checkpoints = simulated"
mpi_tried=0 mpi_survived=0 with_checkpoint=0
for epoch in 3.00:0.1 5.50:0.3; do
  kill_and_resume "mpi-$epoch" "$epoch" mpirun -np 4 --oversubscribe "$TRAIN" "$CONFIG" --set comm.backend=mpi
  mpi_tried=$((mpi_tried + 1))
  if same_as "$TMP/mpi-$epoch" "$TMP/whole"; then mpi_survived=$((mpi_survived + 1)); else not_ok "MPI killed at epoch $epoch: resumed run differs"; fi
done
[[ "$mpi_survived" -eq "$mpi_tried" ]] && ok "MPI: $mpi_survived of $mpi_tried kill points resumed byte-identical ($with_checkpoint with checkpoints)"
[[ "$with_checkpoint" -ge 1 ]] || not_ok "no MPI kill left checkpoints"

# stopped_at_epoch_2 NAME SIGNAL LAUNCH...: runs with checkpoint_every_steps = EVERY (default 0)
# and sends SIGNAL once training is a quarter through (its evaluation line at epoch 2 of 8),
# whatever the machine's speed; sets rc to the run's exit code.
stopped_at_epoch_2() {
  local name="$1" signal="$2"; shift 2
  "$@" --out "$TMP/$name" "${SETS[@]}" --set run.checkpoint_every_steps="${EVERY:-0}" >"$TMP/$name.log" 2>&1 &
  local pid=$! waited=0
  until grep -q "^epoch 2.00 " "$TMP/$name.log" 2>/dev/null || [[ "$waited" -ge 600 ]]; do
    sleep 0.05; waited=$((waited + 1))
  done
  kill -"$signal" "$pid"
  wait "$pid"
  rc=$?
}
resumed_identical() {  # NAME LAUNCH...: runs again with the same settings, compares with the whole run
  local name="$1"; shift
  timeout -k 5 "$LIMIT" "$@" --out "$TMP/$name" "${SETS[@]}" --set run.checkpoint_every_steps="${EVERY:-0}" \
    >>"$TMP/$name.log" 2>&1 && same_as "$TMP/$name" "$TMP/whole"
}

# stop_and_resume NAME SIGNAL EXIT LAUNCH...: the signal stops the run at a step boundary (every
# MPI rank at the same one), it writes a checkpoint and exits with 128 + N and no results; the
# rerun resumes. Here without periodic checkpoints: the signal's checkpoint is the only one.
stop_and_resume() {
  local name="$1" signal="$2" code="$3"; shift 3
  stopped_at_epoch_2 "$name" "$signal" "$@"
  if [[ "$rc" -eq "$code" ]] && ls "$TMP/$name"/checkpoint.* >/dev/null 2>&1 && [[ ! -e "$TMP/$name/metrics.jsonl" ]] &&
     resumed_identical "$name" "$@"; then
    ok "$name: SIG$signal wrote a checkpoint and exited $code; the rerun is byte-identical"
  else
    not_ok "$name: SIG$signal (exit $rc, expected $code)"; tail -3 "$TMP/$name.log"
  fi
}
stop_and_resume sigterm TERM 143 "$TRAIN" "$CONFIG"
stop_and_resume mpi-sigusr1 USR1 138 mpirun -np 4 --oversubscribe "$TRAIN" "$CONFIG" --set comm.backend=mpi

# A kill between two ranks' checkpoint writes leaves their newest checkpoints a generation apart:
# made here by stopping a run that checkpoints every step and taking rank 1's newest away. The
# rerun must resume every rank at the older step (rank 0 keeps it as its previous generation).
EVERY=1 stopped_at_epoch_2 mpi-apart TERM mpirun -np 4 --oversubscribe "$TRAIN" "$CONFIG" --set comm.backend=mpi
if [[ -e "$TMP/mpi-apart/checkpoint.rank0.previous.pt" && -e "$TMP/mpi-apart/checkpoint.rank1.previous.pt" ]]; then
  mv "$TMP/mpi-apart/checkpoint.rank1.previous.pt" "$TMP/mpi-apart/checkpoint.rank1.pt"
  if EVERY=1 resumed_identical mpi-apart mpirun -np 4 --oversubscribe "$TRAIN" "$CONFIG" --set comm.backend=mpi &&
     grep -q "resuming from .* at step" "$TMP/mpi-apart.log"; then
    ok "MPI ranks whose newest checkpoints are a generation apart resume at the step all hold, byte-identical"
  else not_ok "MPI ranks with checkpoints a generation apart did not resume identically"; tail -3 "$TMP/mpi-apart.log"; fi
else
  not_ok "an MPI run checkpointing every step kept no previous generation (exit $rc)"; ls "$TMP/mpi-apart"
fi

# A checkpoint of another config is refused, naming the file; so is a damaged one.
"$TRAIN" "$CONFIG" --out "$TMP/other" "${SETS[@]}" --set run.checkpoint_every_steps=4 >/dev/null 2>&1 &
pid=$!  # killed once its first checkpoint is in place, whatever the machine's speed
for _ in $(seq 1200); do [[ -e "$TMP/other/checkpoint.pt" ]] && break; sleep 0.05; done
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
if [[ -e "$TMP/other/checkpoint.pt" ]]; then
  cp "$TMP/other/checkpoint.pt" "$TMP/saved.pt"
  if ! "$TRAIN" "$CONFIG" --out "$TMP/other" "${SETS[@]}" --set run.checkpoint_every_steps=4 --set run.seed=3 2>"$TMP/err" >/dev/null &&
     grep -q "other/checkpoint.pt: a checkpoint of another config" "$TMP/err"; then ok "a checkpoint of another config: refused, naming the file"
  else not_ok "a checkpoint of another config was not refused"; cat "$TMP/err"; fi
  head -c 100 "$TMP/saved.pt" >"$TMP/other/checkpoint.pt"
  if ! "$TRAIN" "$CONFIG" --out "$TMP/other" "${SETS[@]}" --set run.checkpoint_every_steps=4 2>"$TMP/err" >/dev/null &&
     grep -q "other/checkpoint.pt: not a readable checkpoint" "$TMP/err"; then ok "a damaged checkpoint: refused, naming the file"
  else not_ok "a damaged checkpoint was not refused"; cat "$TMP/err"; fi
else
  not_ok "no checkpoint within 60 s of the start"
fi
echo "resume tests: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
