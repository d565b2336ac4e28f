#!/usr/bin/env bash
# The trainer launched by Slurm: `srun --mpi=pmix -n 2 localsgd-train ...` on a private
# single-node Slurm cluster (tests/slurm/cluster.sh, own ports and state directory, stopped on
# exit whatever happens) gives byte-identical metrics.jsonl and model.pt to 2 simulated workers,
# for local SGD (H = 2) and hierarchical SGD (blocks of 1 worker, block_steps 2, H = 1). Each run
# is checked to have gone through Slurm: its job is COMPLETED with 2 tasks in slurmctld's
# records, every rank saw SLURM_JOB_ID, and summary.json says "backend": "mpi".
# Usage: tests/srun_test.sh path/to/localsgd-train   (as root; needs scripts/setup.sh's Slurm)
set -uo pipefail
TRAINER="${1:?usage: srun_test.sh path/to/localsgd-train}"
TRAINER="$(cd "$(dirname "$TRAINER")" && pwd -P)/$(basename "$TRAINER")"
[[ -x "$TRAINER" ]] || { echo "srun_test.sh: $TRAINER is not an executable" >&2; exit 2; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
CLUSTER="$HERE/slurm/cluster.sh"
# shellcheck source=same_run.sh
source "$HERE/same_run.sh"
SRUN_BOUND=120  # seconds for one srun (a run takes about 3 s here)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

for b in slurmctld slurmd srun munged; do
  command -v "$b" >/dev/null || {
    echo "FAIL - $b not found: run scripts/setup.sh (it installs slurmctld slurmd slurm-client munge)"
    echo "srun tests: 0 passed, 1 failed"; exit 1
  }
done

# Clusters of earlier runs killed before they could stop them (tests/slurm/cluster.sh reap).
bash "$CLUSTER" reap "${TMPDIR:-/tmp}/localsgd-srun."

TMP="$(mktemp -d "${TMPDIR:-/tmp}/localsgd-srun.XXXXXX")"
echo "$$ srun_test.sh" >"$TMP/owner"
cleanup() {
  bash "$CLUSTER" stop "$TMP/cluster" || echo "srun_test.sh: stopping the cluster failed" >&2
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # ok, not_ok, check and the tally

started=$(date +%s)
if ! bash "$CLUSTER" start "$TMP/cluster"; then
  not_ok "private Slurm cluster did not start (log above)"
  echo "srun tests: $passed passed, $failed failed"; exit 1
fi
eval "$(bash "$CLUSTER" env "$TMP/cluster")"
ok "private Slurm cluster up in $(($(date +%s) - started))s ($SLURM_CONF)"

# The shared tiny run, with one worker per Slurm task of this 2-core cluster.
sed 's/^workers = 4$/workers = 2/' "$HERE/configs/tiny-run.toml" >"$TMP/base.toml"

compare() {  # name, --set arguments...
  local name="$1"; shift
  local sets=()
  for kv in "$@"; do sets+=(--set "$kv"); done
  if ! "$TRAINER" "$TMP/base.toml" --out "$TMP/$name-sim" "${sets[@]}" 2>"$TMP/$name-sim.log"; then
    not_ok "$name: simulated run failed: $(tail -n 3 "$TMP/$name-sim.log")"; return
  fi
  local job="localsgd-srun-$name"
  # Each rank prints the job id Slurm gave it before it becomes the trainer (expanded there).
  # shellcheck disable=SC2016
  local rank_sh='echo "rank $SLURM_PROCID of job ${SLURM_JOB_ID:-none}" >&2; exec "$@"'
  if ! (cd "$TMP" && timeout "$SRUN_BOUND" srun --mpi=pmix -n 2 --cpus-per-task=1 --mem-per-cpu=512 \
        --time=5 --job-name="$job" \
        bash -c "$rank_sh" rank \
        "$TRAINER" "$TMP/base.toml" --out "$TMP/$name-srun" "${sets[@]}" --set comm.backend=mpi) \
        >"$TMP/$name-srun.log" 2>&1; then
    not_ok "$name: srun run failed: $(tail -n 5 "$TMP/$name-srun.log")"; return
  fi
  # Slurm's own record of the job: finished, 2 tasks; and both ranks ran inside it.
  local rec id
  for _ in $(seq 1 100); do  # srun returns while the job may still be COMPLETING for a moment
    rec=$(squeue --states=all -h --name="$job" -o '%i|%T|%D' 2>&1)
    [[ "$rec" == *'|COMPLETING|'* || "$rec" == *'|RUNNING|'* ]] || break
    sleep 0.2
  done
  id=${rec%%|*}
  if [[ ! "$rec" =~ ^[0-9]+\|COMPLETED\|1$ ]]; then
    not_ok "$name: squeue has no COMPLETED job named $job (got: $rec)"; return
  fi
  if ! scontrol show job "$id" | grep -q 'NumTasks=2'; then
    not_ok "$name: scontrol show job $id does not say NumTasks=2"; return
  fi
  if ! grep -q "rank 0 of job $id" "$TMP/$name-srun.log" || ! grep -q "rank 1 of job $id" "$TMP/$name-srun.log"; then
    not_ok "$name: the ranks did not both run in Slurm job $id"; return
  fi
  same_run "$name" "$TMP/$name-sim" "$TMP/$name-srun" \
    "srun --mpi=pmix -n 2 (Slurm job $id) = 2 simulated workers"
}

compare local algorithm.kind=local algorithm.local_steps=2
compare hierarchical algorithm.kind=hierarchical algorithm.local_steps=1 algorithm.block_size=1 algorithm.block_steps=2

# The hierarchical run used both levels: with H = 1 and block_steps = 2 every other step ends in
# a global average and the steps between in a block one (which, for blocks of 1, moves no bytes).
last=$(tail -n 1 "$TMP/hierarchical-srun/metrics.jsonl" 2>/dev/null)
if [[ "$last" == *'"sync_rounds": 16,'* && "$last" == *'"block_sync_rounds": 16,'* ]]; then
  ok "hierarchical: 16 block rounds and 16 global rounds over 32 steps"
else
  not_ok "hierarchical: unexpected round counts in the last record: ${last:-none}"
fi

echo "srun tests: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
