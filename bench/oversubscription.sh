#!/usr/bin/env bash
# Why every job gets its own cores: wall time of two small trainings run one after the other
# with 2 threads each, at once with 2 threads each (4 OpenMP threads on 2 cores), and at once
# with 1 thread each. Same config and work in every case.
#
#   [LOCALSGD_TRAIN=path] bash bench/oversubscription.sh [EPOCHS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TRAINER="${LOCALSGD_TRAIN:-build/localsgd-train}"
EPOCHS="${1:-0.2}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/localsgd-oversub.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

train() {  # out-dir threads
  "$TRAINER" configs/small/fashion-mnist.toml --out "$TMP/$1" --set run.threads="$2" \
    --set run.epochs="$EPOCHS" --set schedule.warmup_epochs=0 --set run.eval_every_epochs="$EPOCHS" 2>/dev/null
}
seconds() { date +%s.%N; }

t0=$(seconds); train a 2; train b 2; t1=$(seconds)
train c 2 & train d 2 & wait; t2=$(seconds)
train e 1 & train f 1 & wait; t3=$(seconds)

echo "machine: nproc=$(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "two runs of configs/small/fashion-mnist.toml, run.epochs=$EPOCHS each"
echo "| schedule | wall (s) | ratio to one after the other |"
echo "|---|---:|---:|"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN {
  s = b - a; printf "| one after the other, 2 threads each | %.1f | 1.00 |\n", s
  printf "| at once, 2 threads each | %.1f | %.2f |\n", c - b, (c - b) / s
  printf "| at once, 1 thread each | %.1f | %.2f |\n", d - c, (d - c) / s }'
