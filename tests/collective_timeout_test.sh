#!/usr/bin/env bash
# A stuck rank ends the job instead of hanging it: two MPI ranks train, one is stopped with
# SIGSTOP (a frozen node), and the job must end within comm.collective_timeout plus its grace,
# non-zero, with rank 0's message naming the stopped rank; stopping rank 0 itself, rank 1 ends
# the job saying rank 0 did not answer. With the timeout ignored, the job would hang until LIMIT.
#   bash tests/collective_timeout_test.sh LOCALSGD_TRAIN
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRAIN="${1:?usage: collective_timeout_test.sh LOCALSGD_TRAIN}"
TMP="$(mktemp -d)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
TIMEOUT=3   # comm.collective_timeout of the test runs
LIMIT=40    # seconds: timeout + grace (at most 2 x timeout) + start-up, with room for a loaded machine
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # ok, not_ok, check and the tally
cleanup() {  # a failed check may leave a stopped rank behind
  pkill -CONT -f -- "--out $TMP/" 2>/dev/null
  pkill -9 -f -- "--out $TMP/" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

# The pid of rank RANK of the job writing to OUT, once it has started (empty after 20 s).
rank_pid() {
  local out="$1" rank="$2" pid
  for _ in $(seq 200); do
    for pid in $(pgrep -f -- "--out $out\$"); do
      if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$rank"; then
        echo "$pid"; return
      fi
    done
    sleep 0.1
  done
}

# stop_rank NAME RANK: starts 2 ranks on a long run, SIGSTOPs rank RANK once training is under way,
# waits for the job to end (at most LIMIT s); sets rc and elapsed.
stop_rank() {
  local name="$1" rank="$2" out="$TMP/$1"
  mpirun -np 2 "$TRAIN" "$ROOT/tests/configs/tiny-run.toml" --set algorithm.workers=2 --set run.epochs=200 \
    --set comm.collective_timeout="$TIMEOUT" --out "$out" >"$TMP/$name.log" 2>&1 &
  local job=$!
  local pid; pid="$(rank_pid "$out" "$rank")"
  [[ -n "$pid" ]] || { not_ok "$name: rank $rank did not start"; kill -9 "$job"; rc=-1; return; }
  for _ in $(seq 200); do grep -q "^epoch\|step " "$TMP/$name.log" && break; sleep 0.1; done
  sleep 1
  kill -STOP "$pid"
  local start=$SECONDS
  for _ in $(seq $((LIMIT * 10))); do kill -0 "$job" 2>/dev/null || break; sleep 0.1; done
  elapsed=$((SECONDS - start))
  if kill -0 "$job" 2>/dev/null; then
    not_ok "$name: the job still hangs ${LIMIT}s after rank $rank stopped"
    kill -CONT "$pid"; kill -9 "$job"; pkill -9 -f -- "--out $out\$"
  fi
  wait "$job"; rc=$?
  kill -CONT "$pid" 2>/dev/null
  echo "# $name: ended ${elapsed}s after rank $rank stopped, exit $rc"
}

stop_rank stop-rank1 1
if [[ $rc -ne 0 ]] && grep -q "rank 0: .* did not complete within $TIMEOUT s (comm.collective_timeout); rank(s) 1 did not answer" "$TMP/stop-rank1.log"; then
  ok "a stopped rank 1 ends the job (exit $rc, ${elapsed}s) and rank 0 names it"
else
  not_ok "a stopped rank 1: exit $rc, message:"; grep "localsgd-train" "$TMP/stop-rank1.log" | tail -3
fi
[[ -f "$TMP/stop-rank1/summary.json" ]] && not_ok "the ended job wrote results" || ok "the ended job wrote no results"

stop_rank stop-rank0 0
if [[ $rc -ne 0 ]] && grep -q "rank 1: .* and rank 0, which ends the job, did not answer" "$TMP/stop-rank0.log"; then
  ok "a stopped rank 0 ends the job (exit $rc, ${elapsed}s) and rank 1 says rank 0 did not answer"
else
  not_ok "a stopped rank 0: exit $rc, message:"; grep "localsgd-train" "$TMP/stop-rank0.log" | tail -3
fi

echo "collective timeout tests: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
