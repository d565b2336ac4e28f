#!/usr/bin/env bash
# Simulated workers one by one against stacked (run.worker_passes): training images per second
# of the same run both ways, and where the step time goes (timing.jsonl's phases). Jobs: local
# SGD (H = 4) on the model and data of configs/small/fashion-mnist.toml, B_loc = 32, for
# K = 16 at 2 threads (the performance issue's target) and K = 4, 8, 16 at 1 thread (the small
# scale runs two 1-thread jobs at once).
#
#   [LOCALSGD_TRAIN=path/to/localsgd-train] bash bench/stacked_workers.sh [--steps N] [--config FILE]
#
# Prints the commands, the machine, and a Markdown table. Needs the build (scripts/setup.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source bench/lib.sh

STEPS=40
CONFIG="configs/small/fashion-mnist.toml"
usage() { usage_lines 2 10; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) STEPS="$2"; shift 2 ;;
    --config) CONFIG="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument $1" 2 ;;
  esac
done
require_trainer
[[ -f "$CONFIG" ]] || die "$CONFIG not found"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/localsgd-stacked.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
SUBSET="$(train_subset "$CONFIG")"

run() {  # workers threads passes
  local k="$1" threads="$2" passes="$3"
  local epochs
  epochs="$(awk -v s="$STEPS" -v k="$k" -v n="$SUBSET" 'BEGIN { printf "%.6g", s * k * 32 / n }')"
  local cmd=("$TRAINER" "$CONFIG" --out "$TMP/k$k-t$threads-$passes" --set 'algorithm.kind="local"'
    --set "algorithm.workers=$k" --set algorithm.local_batch=32 --set algorithm.local_steps=4
    --set "run.threads=$threads" --set "run.epochs=$epochs" --set "run.eval_every_epochs=$epochs"
    --set schedule.warmup_epochs=0 --set "run.worker_passes=\"$passes\"")
  echo "trainer: $(printf '%q ' "${cmd[@]}")"
  "${cmd[@]}" >"$TMP/k$k-t$threads-$passes.log" 2>&1 || { cat "$TMP/k$k-t$threads-$passes.log" >&2; die "the trainer failed"; }
}
JOBS=("16 2" "4 1" "8 1" "16 1")
for job in "${JOBS[@]}"; do
  read -r k threads <<<"$job"
  run "$k" "$threads" one-by-one
  run "$k" "$threads" stacked
done

echo
machine_line
echo
python3 - "$TMP" "${JOBS[@]}" <<'PY'
import json, sys
root, jobs = sys.argv[1], [j.split() for j in sys.argv[2:]]
def last(path):
    with open(path) as f:
        return json.loads(f.read().splitlines()[-1])
def measure(k, t, passes):
    d = f"{root}/k{k}-t{t}-{passes}"
    summary, timing = json.load(open(f"{d}/summary.json")), last(f"{d}/timing.jsonl")
    if summary["status"] != "completed":
        sys.exit(f"stacked_workers.sh: {d} did not complete: {summary['status']}")
    images = summary["samples_seen"] / summary["train_seconds"]
    step = timing["train_seconds"]
    shares = {p: timing[f"{p}_seconds"] / step for p in ("data", "forward", "backward", "optimizer", "exchange")}
    return images, shares
print("| K | threads | one-by-one (img/s) | stacked (img/s) | stacked / one-by-one | one-by-one: data / fwd / bwd / opt / exchange | stacked: data / fwd / bwd / opt / exchange |")
print("|---:|---:|---:|---:|---:|---|---|")
for k, t in jobs:
    (a, sa), (b, sb) = measure(k, t, "one-by-one"), measure(k, t, "stacked")
    fmt = lambda s: " / ".join(f"{100 * v:.1f}%" for v in s.values())
    print(f"| {k} | {t} | {a:.1f} | {b:.1f} | {b / a:.2f} | {fmt(sa)} | {fmt(sb)} |")
PY
