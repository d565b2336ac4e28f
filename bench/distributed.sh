#!/usr/bin/env bash
# Local SGD (H = 16) against mini-batch SGD as 2 MPI ranks (mpirun -np 2, one thread each, each
# rank bound to its own core): the measured training time of each, their ratio, and the ratio
# the trainer's cost model ([comm] latency and bandwidth) predicts for the same runs simulated.
# Full-width ResNet-20 (272,474 parameters, 1.09 MB per exchange), B_loc = 32, on the data of
# configs/small/fashion-mnist.toml. On one machine the "network" is shared memory, so the
# measured ratio is what removing the per-step collective saves there, and the modelled one
# what it would save on the modelled cluster (10 Gbit/s, 50 us by default).
#
#   [LOCALSGD_TRAIN=path] bash bench/distributed.sh [--steps N]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source bench/lib.sh
STEPS=160
CONFIG="configs/small/fashion-mnist.toml"
usage() { usage_lines 2 10; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) STEPS="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument $1" 2 ;;
  esac
done
require_trainer
command -v mpirun >/dev/null || die "mpirun not found (apt-get install openmpi-bin)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
TMP="$(mktemp -d "${TMPDIR:-/tmp}/localsgd-distributed.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
SUBSET="$(train_subset "$CONFIG")"
EPOCHS="$(awk -v s="$STEPS" -v n="$SUBSET" 'BEGIN { printf "%.6g", s * 2 * 32 / n }')"
COMMON=(--set algorithm.workers=2 --set algorithm.local_batch=32 --set model.width=1 --set run.threads=1
  --set "run.epochs=$EPOCHS" --set "run.eval_every_epochs=$EPOCHS" --set schedule.warmup_epochs=0)
run() {  # name, launcher words..., -- , --set arguments...
  local name="$1"; shift
  local launcher=()
  while [[ "$1" != "--" ]]; do launcher+=("$1"); shift; done
  shift
  local cmd=("${launcher[@]}" "$TRAINER" "$CONFIG" --out "$TMP/$name" "${COMMON[@]}" "$@")
  echo "run: $(printf '%q ' "${cmd[@]}")"
  "${cmd[@]}" >"$TMP/$name.log" 2>&1 || { tail -n 20 "$TMP/$name.log" >&2; die "$name failed"; }
}
MPI=(mpirun -np 2 --bind-to core)
run mpi-minibatch "${MPI[@]}" -- --set 'algorithm.kind="minibatch"' --set 'comm.backend="mpi"'
run mpi-local "${MPI[@]}" -- --set 'algorithm.kind="local"' --set algorithm.local_steps=16 --set 'comm.backend="mpi"'
run sim-minibatch -- --set 'algorithm.kind="minibatch"' --set 'comm.backend="simulated"'
run sim-local -- --set 'algorithm.kind="local"' --set algorithm.local_steps=16 --set 'comm.backend="simulated"'
machine_line "$(mpirun --version | head -n 1)"
python3 - "$TMP" <<'PY'
import json, sys
root = sys.argv[1]
def last(name, file):
    with open(f"{root}/{name}/{file}") as f:
        return json.loads(f.read().splitlines()[-1])
names = ("mpi-minibatch", "mpi-local", "sim-minibatch", "sim-local")
m = {n: {**last(n, "metrics.jsonl"), **last(n, "timing.jsonl")} for n in names}
print("| job | MPI measured train (s) | MPI comm (s) | simulated, modelled (s) | modelled comm (s) |")
print("|---|---:|---:|---:|---:|")
for algo in ("minibatch", "local"):
    a, s = m[f"mpi-{algo}"], m[f"sim-{algo}"]
    label = "mini-batch SGD" if algo == "minibatch" else "local SGD, H = 16"
    print(f"| {label} | {a['train_seconds']:.2f} | {a['comm_seconds']:.3f} | {s['modelled_seconds']:.2f} | "
          f"{s['modelled_comm_seconds']:.3f} |")
measured = m["mpi-local"]["train_seconds"] / m["mpi-minibatch"]["train_seconds"]
modelled = m["sim-local"]["modelled_seconds"] / m["sim-minibatch"]["modelled_seconds"]
print(f"\nlocal / mini-batch time: measured {measured:.3f}, cost model {modelled:.3f}")
PY
