#!/usr/bin/env bash
# Every benchmark of BENCHMARKS.md, one after the other (they time themselves, so nothing else
# should run meanwhile): about 30 minutes on the 2-core VM. Each prints its commands, the
# machine and its Markdown table; the output is also kept in bench/results-<date>.txt.
#
#   bash bench/all.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LOG="bench/results-$(date +%Y%m%d-%H%M%S).txt"
{
  for step in \
      "bash bench/throughput.sh" \
      "bash bench/throughput.sh --width 1 --batch 128 --threads 2 --steps 150 --one-worker" \
      "bash bench/stacked_workers.sh" \
      "bash bench/run_profile.sh --header --label small-base-one-by-one --set run.threads=1" \
      "bash bench/run_profile.sh --label small-base-stacked --set run.threads=1 --set 'run.worker_passes=\"stacked\"'" \
      "bash bench/oversubscription.sh" \
      "bash bench/allreduce.sh 41" \
      "bash bench/distributed.sh" \
      "bash bench/hessian.sh" \
      "bash bench/trace.sh" \
      "bash bench/calibrate.sh"; do
    echo "## $step"
    eval "$step"
    echo
  done
} 2>&1 | tee "$LOG"
echo "kept in $LOG"
