#!/usr/bin/env bash
# Reproduces the tables: installs and builds (scripts/setup.sh), then runs the Snakemake
# workflow on all cores. Extra arguments go to snakemake, e.g.
#
#   bash scripts/reproduce.sh                         # tables of the "small" scale
#   bash scripts/reproduce.sh --config scale=small    # the same, explicitly
#   bash scripts/reproduce.sh -n                      # only show what would run
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

echo "[reproduce] setup: bash scripts/setup.sh"
if ! bash scripts/setup.sh; then
  echo "[reproduce] ERROR: scripts/setup.sh failed; see its output above" >&2
  exit 1
fi

# MPI rules (Figure 5's ping-pong, a scale's mpi_workers) start mpirun, which refuses root
# unless told otherwise; this machine kind runs everything as root.
if [[ $(id -u) -eq 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

cores="$(nproc)"
echo "[reproduce] workflow: .venv/bin/snakemake --cores $cores $*"
if ! .venv/bin/snakemake --cores "$cores" "$@"; then
  echo "[reproduce] ERROR: snakemake failed; logs of the training runs are in results/<scale>/logs/" >&2
  exit 1
fi

# The tables of the default target (or of the scale chosen with --config scale=...).
scale="small"
for arg in "$@"; do
  if [[ "$arg" =~ ^(--config=)?scale=(.+)$ ]]; then
    scale="${BASH_REMATCH[2]}"
  fi
done
shopt -s nullglob
tables=("tables/$scale"/*.md)
if [[ ${#tables[@]} -eq 0 ]]; then
  echo "[reproduce] no tables in tables/$scale/ (a dry run, or other targets were asked for)"
else
  echo "[reproduce] tables:"
  for t in "${tables[@]}"; do
    echo "  $ROOT/$t"
  done
fi
if [[ -f "figures/$scale/README.md" ]]; then
  echo "[reproduce] index of every table and figure: $ROOT/figures/$scale/README.md"
fi
