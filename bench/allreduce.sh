#!/usr/bin/env bash
# All-reduce throughput of the MPI backend's hand-written ring against MPI_Allreduce, at 2 and
# 4 ranks. Prints the machine's core count and every command line, since 4 ranks on fewer
# cores are oversubscribed and then measure scheduling as much as communication.
#
#   [LOCALSGD_ALLREDUCE_BENCH=path] bash bench/allreduce.sh [REPETITIONS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BENCH="${LOCALSGD_ALLREDUCE_BENCH:-build/localsgd_allreduce_bench}"
REPS="${1:-21}"
# Before OMP_NUM_THREADS is set: GNU nproc honours it.
cores=$(nproc)
# mpirun refuses root without these; containers and CI often run as root.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One intra-op thread per rank: the ring's division must not compete with the other ranks.
export OMP_NUM_THREADS=1

echo "machine: nproc=$cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
for np in 2 4; do
  flags=()
  if (( np > cores )); then
    flags=(--oversubscribe)
    echo; echo "NOTE: $np ranks on $cores cores: oversubscribed"
  fi
  cmd=(mpirun -np "$np" "${flags[@]}" "$BENCH" "$REPS")
  echo; echo "\$ ${cmd[*]}"
  "${cmd[@]}"
done
