#!/usr/bin/env bash
# The Hessian trace by Hutchinson against Hutch++ (localsgd-analyze hessian --trace-method) at the
# same number of Hessian-vector products, on the small scale's model: the spread of the estimates
# over SEEDS probe seeds (both estimators are unbiased, so their spread is their error) and the
# mean standard error each reports, for 12 and 30 products; the reference is Hutch++ at 300.
#
#   bash bench/trace.sh [--samples N (256)] [--seeds S (5)]
#
# Trains its model first (configs/small/fashion-mnist.toml, width 0.25, 2 epochs, one thread, as
# bench/hessian.sh). Prints the commands, the machine and Markdown table rows.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib.sh
source bench/lib.sh
SAMPLES=256
SEEDS=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --samples) SAMPLES="$2"; shift 2 ;;
    --seeds) SEEDS="$2"; shift 2 ;;
    *) usage_lines 2 12; die "unknown argument $1" 2 ;;
  esac
done
require_trainer
ANALYZE=build/localsgd-analyze
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
machine_line
exec 3>&2
run() { echo "\$ $*" >&3; "$@"; }   # the command on stderr even when its own output is dropped
run "$TRAINER" configs/small/fashion-mnist.toml --out "$WORK/model" --set run.epochs=2 --set schedule.warmup_epochs=0.5 \
  --set run.threads=1 >/dev/null 2>&1
COMMON=(--samples "$SAMPLES" --batch 512 --top 1 --method lanczos --density-steps 0 --threads 1)
run "$ANALYZE" hessian --out "$WORK/reference" "${COMMON[@]}" --trace-method hutch++ --trace-probes 300 --seed 100000 \
  m="$WORK/model" >/dev/null 2>&1
for products in 12 30; do
  for method in hutchinson hutch++; do
    for seed in $(seq 1 "$SEEDS"); do
      run "$ANALYZE" hessian --out "$WORK/$method-$products-$seed" "${COMMON[@]}" --trace-method "$method" \
        --trace-probes "$products" --seed "$((1000 * seed))" m="$WORK/model" >/dev/null 2>&1
    done
  done
done
echo
echo "| products | method | mean estimate | spread over seeds (std) | mean reported SE | mean abs error vs reference |"
echo "|---:|---|---:|---:|---:|---:|"
python3 - "$WORK" "$SEEDS" <<'PY'
import json, statistics, sys
work, seeds = sys.argv[1], int(sys.argv[2])
ref = json.loads(open(f"{work}/reference.jsonl").read())["trace"]
for products in (12, 30):
    for method in ("hutchinson", "hutch++"):
        t = [json.loads(open(f"{work}/{method}-{products}-{s}.jsonl").read())["trace"] for s in range(1, seeds + 1)]
        est = [x["estimate"] for x in t]
        print(f"| {products} | {method} | {statistics.mean(est):.1f} | {statistics.stdev(est):.1f} "
              f"| {statistics.mean(x['standard_error'] for x in t):.1f} "
              f"| {statistics.mean(abs(e - ref['estimate']) for e in est):.1f} |")
print(f"\nreference: Hutch++ at 300 products: {ref['estimate']:.2f} +- {ref['standard_error']:.2f} "
      f"(deflated part {ref['deflated']:.2f})")
PY
