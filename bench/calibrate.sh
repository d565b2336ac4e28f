#!/usr/bin/env bash
# The compute calibration of simulated runs (comm.compute_step_seconds and
# comm.compute_sample_seconds): one real worker's step time at several local batch sizes, and
# the line  seconds per step = step + sample x B  through them (least relative error). A scale puts the
# two numbers in its models' overrides, so that every simulated run charges its compute from
# them and the same seeds give the same time tables, whatever else the machine is doing.
#
#   [LOCALSGD_TRAIN=path/to/localsgd-train] bash bench/calibrate.sh [--config FILE]
#       [--steps N] [--repeats R] [--batches "8 32 128 256"] [--set KEY=VALUE ...]
#
# One worker, mini-batch SGD, one-by-one passes (a real worker's arithmetic), the config's
# run.threads; R repeats per batch size, the median kept. Prints the commands, the machine, the
# fit with its residuals, and the TOML lines. Needs the build (scripts/setup.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source bench/lib.sh

CONFIG="configs/small/fashion-mnist.toml"
STEPS=60
REPEATS=3
BATCHES="8 32 128 256"
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) CONFIG="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --repeats) REPEATS="$2"; shift 2 ;;
    --batches) BATCHES="$2"; shift 2 ;;
    --set) EXTRA+=(--set "$2"); shift 2 ;;
    -h|--help) usage_lines 2 12; exit 0 ;;
    *) die "unknown argument $1" 2 ;;
  esac
done
require_trainer
[[ -f "$CONFIG" ]] || die "$CONFIG not found"
[[ "$STEPS" =~ ^[1-9][0-9]*$ && "$REPEATS" =~ ^[1-9][0-9]*$ ]] || die "--steps and --repeats: positive integers" 2

TMP="$(mktemp -d "${TMPDIR:-/tmp}/localsgd-calibrate.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
SUBSET="$(train_subset "$CONFIG")"

for b in $BATCHES; do
  [[ "$b" =~ ^[1-9][0-9]*$ ]] || die "--batches: '$b' is not a batch size" 2
  (( b <= SUBSET )) || die "batch $b is above the config's train_subset ($SUBSET)" 2
  epochs="$(awk -v s="$STEPS" -v b="$b" -v n="$SUBSET" 'BEGIN { printf "%.9g", s * b / n }')"
  for r in $(seq "$REPEATS"); do
    cmd=("$TRAINER" "$CONFIG" --out "$TMP/b$b-r$r" --set 'algorithm.kind="minibatch"'
      --set algorithm.workers=1 --set "algorithm.local_batch=$b" --set algorithm.local_steps=1
      --set 'run.worker_passes="one-by-one"' --set "run.epochs=$epochs"
      --set "run.eval_every_epochs=$epochs" --set schedule.warmup_epochs=0 "${EXTRA[@]}")
    echo "trainer: $(printf '%q ' "${cmd[@]}")"
    "${cmd[@]}" >"$TMP/b$b-r$r.log" 2>&1 || { cat "$TMP/b$b-r$r.log" >&2; die "the trainer failed"; }
  done
done

echo
machine_line
echo
python3 - "$TMP" "$REPEATS" $BATCHES <<'PY'
import json, statistics, sys
root, repeats, batches = sys.argv[1], int(sys.argv[2]), [int(b) for b in sys.argv[3:]]
def step_seconds(b, r):
    last = [json.loads(l) for l in open(f"{root}/b{b}-r{r}/timing.jsonl") if l.strip()][-1]
    return last["train_seconds"] / last["step"]
t = [statistics.median(step_seconds(b, r) for r in range(1, repeats + 1)) for b in batches]
# Least squares for t = step + sample x B in relative error (weights 1 / t^2): a step of a
# large batch costs more than its share (caches), and plain least squares would let it set the
# line for the small batches most runs use.
w = [1 / y ** 2 for y in t]
sw, swb, swbb = sum(w), sum(wi * b for wi, b in zip(w, batches)), sum(wi * b * b for wi, b in zip(w, batches))
swt, swbt = sum(wi * y for wi, y in zip(w, t)), sum(wi * b * y for wi, b, y in zip(w, batches, t))
det = sw * swbb - swb ** 2
sample = (sw * swbt - swb * swt) / det if det else 0.0
step = (swt - sample * swb) / sw
print("| B_loc | measured s/step (median of %d) | fitted | residual |" % repeats)
print("|---:|---:|---:|---:|")
for b, y in zip(batches, t):
    fit = step + sample * b
    print(f"| {b} | {y:.5f} | {fit:.5f} | {100 * (y - fit) / y:+.1f} % |")
print()
print("# one real worker's step on this machine (bench/calibrate.sh):")
print(f'"comm.compute_step_seconds" = {max(step, 0.0):.4g}')
print(f'"comm.compute_sample_seconds" = {max(sample, 0.0):.4g}')
PY
