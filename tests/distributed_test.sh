#!/usr/bin/env bash
# Distributed execution against the simulation, and failure behaviour, with real OpenMPI:
#  1. the same config run as K = 4 MPI ranks (oversubscribed on 2 cores) and as 4 simulated
#     workers gives byte-identical metrics.jsonl and model.pt, for mini-batch, local, post-local
#     and hierarchical (2 blocks of 2) SGD, with BN statistics and momentum averaged, and for
#     every other algorithm (local-step warm-up, SlowMo, the sign methods, D-PSGD), the
#     optimizer's LARS and gradient noise, a batch schedule, and Gu et al.'s regime (sampling
#     with replacement, label noise, BN statistics re-estimated on the leader), and logistic
#     regression on a LIBSVM file (the convex task: its suboptimality records included);
#  2. killing one rank mid-run ends the job with an error within KILL_BOUND seconds and leaves
#     no result files.
# Identical, not close: every worker runs 1 intra-op thread in both modes and the communicators
# sum in the same ring order. Usage: tests/distributed_test.sh path/to/localsgd-train
set -uo pipefail
TRAINER="${1:?usage: distributed_test.sh path/to/localsgd-train}"
KILL_BOUND=30  # seconds from the kill to mpirun's exit; measured about 1 s here
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
TMP="$(mktemp -d "${TMPDIR:-/tmp}/localsgd-distributed.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # ok, not_ok, check and the tally

cp "$(dirname "${BASH_SOURCE[0]}")/configs/tiny-run.toml" "$TMP/base.toml"
# shellcheck source=same_run.sh
source "$(dirname "${BASH_SOURCE[0]}")/same_run.sh"

compare() {  # name, --set arguments... (BASE=config: another base than tiny-run.toml)
  local name="$1"; shift
  local base="${BASE:-$TMP/base.toml}"
  local sets=()
  for kv in "$@"; do sets+=(--set "$kv"); done
  if ! "$TRAINER" "$base" --out "$TMP/$name-sim" "${sets[@]}" 2>"$TMP/$name-sim.log"; then
    not_ok "$name: simulated run failed: $(tail -n 3 "$TMP/$name-sim.log")"; return
  fi
  if ! mpirun -np 4 --oversubscribe "$TRAINER" "$base" --out "$TMP/$name-mpi" "${sets[@]}" \
      --set comm.backend=mpi >"$TMP/$name-mpi.log" 2>&1; then
    not_ok "$name: MPI run failed: $(tail -n 5 "$TMP/$name-mpi.log")"; return
  fi
  same_run "$name" "$TMP/$name-sim" "$TMP/$name-mpi" "4 MPI ranks = 4 simulated workers"
}

compare minibatch algorithm.kind=minibatch
compare local algorithm.kind=local algorithm.local_steps=2
compare postlocal algorithm.kind=postlocal algorithm.local_steps=4 algorithm.switch_epoch=0.25
compare hierarchical algorithm.kind=hierarchical algorithm.local_steps=2 algorithm.block_size=2 algorithm.block_steps=2
compare averaged-state algorithm.kind=local algorithm.local_steps=2 algorithm.bn_stats=average algorithm.momentum=average
compare local-warmup algorithm.kind=local-warmup algorithm.local_steps=4 algorithm.local_steps_warmup=linear algorithm.local_steps_warmup_epochs=0.5
compare slowmo algorithm.kind=slowmo algorithm.local_steps=2 algorithm.slow_momentum=0.5 algorithm.slow_lr=1.5
compare signsgd-majority algorithm.kind=sign-sgd algorithm.sign_aggregation=majority optimizer.lr=0.01
compare ef-signsgd algorithm.kind=ef-sign-sgd
compare local-signsgd algorithm.kind=local-sign-sgd algorithm.local_steps=2 algorithm.switch_epoch=0.25 optimizer.lr=0.01
compare local-ef-signsgd algorithm.kind=local-ef-sign-sgd algorithm.local_steps=2
compare dpsgd algorithm.kind=dpsgd algorithm.topology=ring run.record_weight_spread=true
compare dpsgd-after-step algorithm.kind=dpsgd algorithm.topology=complete algorithm.mix_order=after-step
compare lars algorithm.kind=postlocal algorithm.local_steps=2 algorithm.switch_epoch=0.25 optimizer.lars_coefficient=0.02
compare noise algorithm.kind=minibatch optimizer.noise_eta=0.001 optimizer.noise_gamma=0.55
compare batch-schedule algorithm.kind=minibatch schedule.batch_factor=2 schedule.batch_switch_epoch=0.5
# Stragglers: every rank computes every worker's clock from the same draws, so the recorded
# straggler_seconds are the simulated run's; the ranks also sleep their own 2 ms delays.
compare stragglers algorithm.kind=local algorithm.local_steps=2 comm.straggler_probability=0.3 comm.straggler_seconds=0.002
compare gu-regime algorithm.kind=local algorithm.local_steps=2 data.sampling=\"with-replacement\" data.label_noise=0.1 data.bn_recompute_batches=2

# A LIBSVM pair of 6 features (w = (1, -1, 0.5, 0, 2, -0.5) with label noise) for the convex task.
write_libsvm() {  # path, samples, awk seed
  awk -v n="$2" -v seed="$3" 'BEGIN { srand(seed); split("1 -1 0.5 0 2 -0.5", w, " ");
    for (i = 0; i < n; i++) { line = ""; z = 0;
      for (j = 1; j <= 6; j++) { x = sprintf("%.3f", 2 * rand() - 1); z += x * w[j]; if (rand() < 0.7) line = line " " j ":" x; else z -= x * w[j] }
      printf "%s%s\n", (rand() < 1 / (1 + exp(-z)) ? "+1" : "-1"), line } }' >"$1"
}
write_libsvm "$TMP/convex" 256 1
write_libsvm "$TMP/convex.t" 64 2
cp "$(dirname "${BASH_SOURCE[0]}")/configs/tiny-convex.toml" "$TMP/convex.toml"
BASE="$TMP/convex.toml" compare logistic-regression algorithm.kind=local algorithm.local_steps=4 data.path=\"$TMP/convex\"
if [[ "$(grep -c '"suboptimality": ' "$TMP/logistic-regression-mpi/metrics.jsonl" 2>/dev/null)" -eq 2 ]]; then
  ok "logistic regression: every MPI record carries the suboptimality"
else
  not_ok "logistic regression: MPI records without the suboptimality: $(head -c 300 "$TMP/logistic-regression-mpi/metrics.jsonl" 2>/dev/null)"
fi

# The D-PSGD run recorded its workers' spread, and it is not 0 (gossip never averages exactly).
records="$(wc -l <"$TMP/dpsgd-mpi/metrics.jsonl" 2>/dev/null || echo 0)"
if [[ "$records" -gt 0 ]] && [[ "$(grep -c '"weight_spread": ' "$TMP/dpsgd-mpi/metrics.jsonl")" -eq "$records" ]] &&
   ! grep -q '"weight_spread": 0[,}]' "$TMP/dpsgd-mpi/metrics.jsonl"; then
  ok "dpsgd: a non-zero weight spread in every record"
else
  not_ok "dpsgd: weight spread missing or 0: $(head -c 300 "$TMP/dpsgd-mpi/metrics.jsonl" 2>/dev/null)"
fi

# The hierarchical run really used both levels.
if grep -q '"block_sync_rounds": 0' "$TMP/hierarchical-mpi/metrics.jsonl" 2>/dev/null; then
  not_ok "hierarchical: no block averages recorded"
else
  ok "hierarchical: block averages recorded"
fi

# Under a launcher, one rank with comm.backend = auto simulates its workers (Slurm jobs run
# under `srun -n 1`): the same bytes as the plain simulated run.
if mpirun -np 1 "$TRAINER" "$TMP/base.toml" --out "$TMP/one-rank" --set algorithm.kind=local \
    --set algorithm.local_steps=2 >"$TMP/one-rank.log" 2>&1 &&
   grep -q '"backend": "simulated"' "$TMP/one-rank/summary.json" &&
   cmp -s "$TMP/one-rank/metrics.jsonl" "$TMP/local-sim/metrics.jsonl"; then
  ok "one rank, backend auto: workers simulated, metrics equal the simulated run"
else
  not_ok "one rank, backend auto: $(tail -n 3 "$TMP/one-rank.log")"
fi

# A wrong rank count is a clear error on every rank, not a hang.
if mpirun -np 2 "$TRAINER" "$TMP/base.toml" --out "$TMP/wrong" >"$TMP/wrong.log" 2>&1; then
  not_ok "2 ranks for workers = 4 should fail"
elif grep -q "2 ranks but algorithm.workers = 4" "$TMP/wrong.log" && [[ ! -e "$TMP/wrong" ]]; then
  ok "2 ranks for workers = 4: clear error, no outputs"
else
  not_ok "2 ranks for workers = 4: unexpected output: $(tail -n 3 "$TMP/wrong.log")"
fi

# Kill one of 2 ranks while it trains.
mpirun -np 2 "$TRAINER" "$TMP/base.toml" --out "$TMP/killed" --set algorithm.workers=2 \
  --set data.train_subset=0 --set run.epochs=1 >"$TMP/killed.log" 2>&1 &
launcher=$!
victim=""
for _ in $(seq 1 100); do  # wait until both ranks are up and training has begun
  mapfile -t ranks < <(pgrep -P "$launcher" -x localsgd-train)  # this job's ranks only
  if [[ ${#ranks[@]} -ge 2 ]] && grep -q "effective config" "$TMP/killed.log"; then victim="${ranks[-1]}"; break; fi
  sleep 0.2
done
sleep 2
if [[ -z "$victim" ]]; then
  not_ok "kill: the ranks never started: $(tail -n 3 "$TMP/killed.log")"; kill "$launcher" 2>/dev/null
else
  killed_at=$(date +%s.%N)
  kill -9 "$victim"
  for _ in $(seq 1 $((KILL_BOUND * 10))); do kill -0 "$launcher" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$launcher" 2>/dev/null; then
    not_ok "kill: mpirun still running ${KILL_BOUND}s after a rank was killed"; kill -9 "$launcher"
    kill -9 "${ranks[@]}" 2>/dev/null
  else
    wait "$launcher"; rc=$?
    took=$(awk -v a="$killed_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    ranks_alive() { for pid in "${ranks[@]}"; do kill -0 "$pid" 2>/dev/null && return 0; done; return 1; }
    for _ in $(seq 1 $((KILL_BOUND * 10))); do ranks_alive || break; sleep 0.1; done
    # Rank 0 claims (creates and locks) the run directory before training; killed, it leaves it
    # empty: no result file may be in it.
    results="$(ls "$TMP/killed" 2>/dev/null | grep -E '^(summary\.json|metrics\.jsonl|timing\.jsonl|model\.pt|config\.toml)$')"
    if [[ $rc -ne 0 && -z "$results" ]] && ! ranks_alive; then
      ok "kill: mpirun exited with $rc ${took}s after a rank was killed (bound ${KILL_BOUND}s), every rank gone, no outputs"
    else
      not_ok "kill: exit $rc after ${took}s; results left: ${results:-none}; ranks: ${ranks[*]}"
    fi
  fi
fi

echo "distributed tests: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
