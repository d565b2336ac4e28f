#!/usr/bin/env bash
# The Hessian analysis' costs (localsgd-analyze hessian):
#  (1) one Hessian-vector product against one gradient on the same batch, ResNet-20 at width 1
#      and 0.25, batch 128, 2 threads, by double backward and by central differences, against
#      the same double backward in PyTorch (bench/pytorch_hvp.py, as PyHessian computes it);
#  (2) the products Lanczos and power iteration (PyHessian's rule: relative change < 1e-3,
#      at most 100 steps per eigenvalue) use for the top 1 and top 5 eigenvalues of a trained
#      model, and their largest relative error, over SEEDS start vectors; the reference is
#      Lanczos to 1e-7.
#
#   bash bench/hessian.sh [--samples N (256)] [--seeds S (3)]
#
# Trains its models first (configs/small/fashion-mnist.toml on one thread; width 1 for 0.25
# epochs, width 0.25 for 2 epochs). Prints the commands, the machine and Markdown table rows.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SAMPLES=256
SEEDS=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --samples) SAMPLES="$2"; shift 2 ;;
    --seeds) SEEDS="$2"; shift 2 ;;
    *) echo "hessian.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
TRAIN=build/localsgd-train ANALYZE=build/localsgd-analyze BENCH=build/localsgd-hvp-bench
CONFIG=configs/small/fashion-mnist.toml
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F)"

run() { echo "\$ $*" >&2; "$@"; }
run "$TRAIN" "$CONFIG" --out "$WORK/width1" --set model.width=1 --set run.epochs=0.25 --set schedule.warmup_epochs=0 --set run.threads=1 >/dev/null 2>&1
run "$TRAIN" "$CONFIG" --out "$WORK/width025" --set run.epochs=2 --set schedule.warmup_epochs=0.5 \
  --set run.threads=1 >/dev/null 2>&1

echo
echo "| model | parameters | batch | threads | implementation | gradient (ms) | HVP (ms) | HVP / gradient | differenced HVP / gradient |"
echo "|---|---:|---:|---:|---|---:|---:|---:|---:|"
for width in 1 0.25; do
  dir="$WORK/width${width/./}"
  for line in "$(run "$BENCH" "$dir" --batch 128 --repeats 10 --threads 2)" \
              "$(run /usr/bin/python3 bench/pytorch_hvp.py --width "$width" --batch 128 --repeats 10 --threads 2)"; do
    python3 - "$width" "$line" <<'PY'
import json, sys
r = json.loads(sys.argv[2])
differenced = f"{r['differenced_over_gradient']:.2f}" if "differenced_over_gradient" in r else "–"
print(f"| ResNet-20 width {sys.argv[1]} | {r['parameters']:,} | {r['batch']} | {r['threads']} | {r['implementation']} "
      f"| {1e3 * r['gradient_seconds']:.1f} | {1e3 * r['hvp_seconds']:.1f} | {r['hvp_over_gradient']:.2f} | {differenced} |")
PY
  done
done

COMMON=(--samples "$SAMPLES" --batch 512 --trace-probes 0 --density-steps 0 --threads 2)
echo
echo "| eigenvalues | method | mean products | max products | max relative error | runs within 1e-3 |"
echo "|---:|---|---:|---:|---:|---:|"
for top in 1 5; do
  run "$ANALYZE" hessian --out "$WORK/reference$top" "${COMMON[@]}" --top "$top" --method lanczos --tolerance 1e-7 \
    --max-iterations 300 m="$WORK/width025" >/dev/null 2>&1
  for seed in $(seq 1 "$SEEDS"); do
    run "$ANALYZE" hessian --out "$WORK/top$top-seed$seed" "${COMMON[@]}" --top "$top" --seed "$seed" --tolerance 1e-3 \
      --power-tolerance 1e-3 --max-iterations 100 m="$WORK/width025" >/dev/null 2>&1
  done
  python3 - "$WORK" "$SEEDS" "$top" <<'PY'
import json, statistics, sys
work, seeds, top = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ref = json.loads(open(f"{work}/reference{top}.jsonl").read())["lanczos"]["eigenvalues"]
for m in ("lanczos", "power"):
    products, errors = [], []
    for s in range(1, seeds + 1):
        r = json.loads(open(f"{work}/top{top}-seed{s}.jsonl").read())[m]
        products.append(r["products"])
        errors.append(max(abs(x - y) / abs(y) for x, y in zip(r["eigenvalues"], ref)))
    print(f"| {top} | {m} | {statistics.mean(products):.1f} | {max(products)} | {max(errors):.1e} "
          f"| {sum(e <= 1e-3 for e in errors)} of {seeds} |")
PY
done
