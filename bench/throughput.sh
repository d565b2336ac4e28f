#!/usr/bin/env bash
# Training throughput of build/localsgd-train against a plain PyTorch (Python) loop on the
# same model, batch and thread count: one worker, mini-batch SGD, batch 32, 2 threads, the
# model and data subset of configs/small/fashion-mnist.toml.
#
#   [LOCALSGD_TRAIN=path/to/localsgd-train] bash bench/throughput.sh [--steps N] [--batch B] [--threads T]
#       [--width W] [--one-worker] [--config FILE]
#
# --width overrides the config's model.width on both sides (1 = the full ResNet-20);
# --one-worker skips the K = 4 job.
# Prints the command lines, the machine, and a Markdown table row with both images/s and
# the ratio trainer / baseline. Needs the build (scripts/setup.sh) and Debian's python3-torch.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source bench/lib.sh

STEPS=1000
BATCH=32
THREADS=2
CONFIG="configs/small/fashion-mnist.toml"
PYTHON=/usr/bin/python3   # Debian's, with python3-torch

usage() { usage_lines 2 13; }
WIDTH_OVERRIDE="" ONE_WORKER=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) STEPS="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --config) CONFIG="$2"; shift 2 ;;
    --width) WIDTH_OVERRIDE="$2"; shift 2 ;;
    --one-worker) ONE_WORKER=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument $1" 2 ;;
  esac
done

require_trainer
[[ -f "$CONFIG" ]] || die "$CONFIG not found"
"$PYTHON" -c 'import torch' 2>/dev/null || die "$PYTHON cannot import torch (apt-get install python3-torch)"

# Model and data sizes from the base config, so both sides train the same thing.
read -r DEPTH WIDTH SUBSET DATA_PATH < <("$PYTHON" - "$CONFIG" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    c = tomllib.load(f)
m, d = c.get("model", {}), c.get("data", {})
print(m.get("depth", 20), m.get("width", 1.0), d.get("train_subset", 0),
      d.get("path") or "/usr/share/datasets/fashion-mnist")
PY
)
[[ "$SUBSET" -gt 0 ]] || SUBSET=60000
[[ -z "$WIDTH_OVERRIDE" ]] || WIDTH="$WIDTH_OVERRIDE"
# The trainer runs about as many steps as the baseline times: epochs = steps * batch / N.
EPOCHS="$(awk -v s="$STEPS" -v b="$BATCH" -v n="$SUBSET" 'BEGIN { printf "%.6g", s * b / n }')"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/localsgd-throughput.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

baseline_cmd=("$PYTHON" bench/pytorch_baseline.py --depth "$DEPTH" --width "$WIDTH"
  --batch "$BATCH" --subset "$SUBSET" --steps "$STEPS" --threads "$THREADS" --data "$DATA_PATH")
echo "baseline: $(printf '%q ' "${baseline_cmd[@]}")"
baseline_json="$("${baseline_cmd[@]}")" || die "the PyTorch baseline failed"
echo "  -> $baseline_json"

# Two trainer runs: one worker (the baseline's exact job), and the "done when" job of the
# trainer-core issue: post-local SGD with K = 4 simulated workers, H = 4, the same per-worker batch.
trainer_run() {  # name, extra --set arguments...
  local name="$1"; shift
  local cmd=("$TRAINER" "$CONFIG" --out "$TMP/$name" --set "algorithm.local_batch=$BATCH"
    --set "run.threads=$THREADS" --set "run.epochs=$EPOCHS" --set "run.eval_every_epochs=$EPOCHS"
    --set schedule.warmup_epochs=0 --set "model.width=$WIDTH" "$@")
  echo "trainer:  $(printf '%q ' "${cmd[@]}")"
  "${cmd[@]}" >"$TMP/$name.log" 2>&1 || { cat "$TMP/$name.log" >&2; die "the trainer failed"; }
  [[ -f "$TMP/$name/summary.json" ]] || die "the trainer wrote no summary.json"
  echo "  -> $(cat "$TMP/$name/summary.json")"
}
trainer_run k1 --set 'algorithm.kind="minibatch"' --set algorithm.workers=1 --set algorithm.local_steps=1
EPOCHS="$(awk -v e="$EPOCHS" 'BEGIN { printf "%.6g", 4 * e }')"  # K = 4: the same number of steps
JOBS="k1"
if [[ "$ONE_WORKER" -eq 0 ]]; then
  JOBS="k1 k4"
  trainer_run k4 --set 'algorithm.kind="postlocal"' --set algorithm.workers=4 --set algorithm.local_steps=4 \
    --set algorithm.switch_epoch=0
fi

torch_version="$("$PYTHON" -c 'import torch; print(torch.__version__)')"
echo
echo "$(machine_line "python torch $torch_version") (other load skews both numbers)"
echo

"$PYTHON" - "$baseline_json" "$TMP" "$DEPTH" "$WIDTH" "$BATCH" "$THREADS" "$JOBS" <<'PY'
import json, sys
baseline = json.loads(sys.argv[1])
depth, width, batch, threads, jobs = sys.argv[3:8]
base = float(baseline["images_per_second"])
print("| model | job | batch per worker | threads | PyTorch-Python (img/s) | localsgd-train (img/s) | trainer / baseline |")
print("|---|---|---:|---:|---:|---:|---:|")
names = {"k1": "1 worker, mini-batch SGD", "k4": "K=4 simulated, post-local SGD H=4"}
for name, job in ((n, names[n]) for n in jobs.split()):
    with open(f"{sys.argv[2]}/{name}/summary.json") as f:
        summary = json.load(f)
    if summary.get("status") != "completed":
        sys.exit(f"throughput.sh: the trainer run {name} did not complete: {summary.get('status')}")
    seconds = float(summary["train_seconds"])
    trainer = float(summary["samples_seen"]) / seconds if seconds > 0 else float("nan")
    print(f"| ResNet-{depth} width {width} | {job} | {batch} | {threads} | {base:.1f} | {trainer:.1f} | {trainer / base:.2f} |")
PY
