#!/usr/bin/env bash
# localsgd-microbench latency under mpirun: two ranks write one record per message size, with a
# positive one-way latency no larger than the time of the timed round trips allows, on the same
# node here; one rank alone is an error that leaves no file.
# Usage: tests/microbench_latency_test.sh path/to/localsgd-microbench
set -uo pipefail
BENCH="${1:?usage: microbench_latency_test.sh path/to/localsgd-microbench}"
[[ $(id -u) -eq 0 ]] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # ok, not_ok, check and the tally

if mpirun -n 2 "$BENCH" latency --bytes 1,65536 --out "$TMP/latency.jsonl" >"$TMP/log" 2>&1; then
  ok "mpirun -n 2 latency exits 0"
else
  not_ok "mpirun -n 2 latency exits 0: $(tail -n 5 "$TMP/log")"
fi
if python3 - "$TMP/latency.jsonl" <<'PY'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
assert [r["bytes"] for r in records] == [1, 65536], records
for r in records:
    # 0 < latency, and the bandwidth field is bytes / latency.
    assert 0 < r["latency_seconds"] < 1, r
    assert abs(r["bandwidth_gbps"] - r["bytes"] / r["latency_seconds"] / 1e9) < 1e-9 * r["bandwidth_gbps"], r
    assert r["round_trips"] >= 20 and r["same_node"] is True, r
PY
then
  ok "one record per size: positive latency, bandwidth = bytes / latency, >= 20 round trips, same node"
else
  not_ok "records of $TMP/latency.jsonl: $(cat "$TMP/latency.jsonl" 2>&1 | head -n 3)"
fi
if "$BENCH" latency --out "$TMP/one.jsonl" >"$TMP/one.log" 2>&1; then
  not_ok "one rank alone exits 0"
elif grep -q "latency needs 2 MPI ranks" "$TMP/one.log" && [[ ! -e "$TMP/one.jsonl" ]]; then
  ok "one rank alone: exits non-zero, says it needs 2 ranks, writes nothing"
else
  not_ok "one rank alone: $(head -n 2 "$TMP/one.log")"
fi
echo "microbench latency tests: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
