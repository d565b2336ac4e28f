#!/usr/bin/env bash
# The refactor check over a whole scale: trains every run the workflow declares at SCALE (for
# each SEED) with two trainers, the one before a change and the one after, and compares their
# metrics.jsonl and model.pt byte for byte. MPI runs (names ending in -mpi) run under mpirun.
#   bash tests/identity/compare_scale.sh OLD/localsgd-train NEW/localsgd-train smoke 1
#   bash tests/identity/compare_scale.sh OLD/localsgd-train NEW/localsgd-train small 1 2
#   SHARD=0/2 bash tests/identity/compare_scale.sh ...   # and SHARD=1/2 beside it: two halves
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OLD="${1:?usage: compare_scale.sh OLD_TRAIN NEW_TRAIN SCALE SEED...}"; NEW="${2:?}"; SCALE="${3:?}"
shift 3
SEEDS=("${@:-1}")
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
base="$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import registry; print(registry.load_scale(sys.argv[2], sys.argv[3]).base_config)' \
        "$ROOT/workflow" "$ROOT/configs" "$SCALE")"
# SHARD=k/n: only every n-th run starting at the k-th, to split a scale over parallel jobs.
shard="${SHARD:-0/1}"; shard_k="${shard%/*}"; shard_n="${shard#*/}"
same=0 different=0 index=-1
while read -r _ name sets; do
  index=$((index + 1))
  [[ $((index % shard_n)) -eq "$shard_k" ]] || continue
  for seed in "${SEEDS[@]}"; do
    launch=()
    if [[ "$name" == *-mpi ]]; then
      workers="$(sed -n 's/.*algorithm\.workers=\([0-9]*\).*/\1/p' <<<"$sets")"
      launch=(mpirun -np "$workers" --oversubscribe)
    fi
    for side in old new; do
      train="$OLD"; [[ "$side" == new ]] && train="$NEW"
      eval "${launch[*]} \"$train\" \"$base\" --out \"$WORK/$side/$name-$seed\" $sets --set run.seed=$seed" \
        </dev/null >"$WORK/$side-$name-$seed.log" 2>&1 || { echo "not ok: $side trainer failed on $name seed $seed"; exit 1; }
    done
    if cmp -s "$WORK/old/$name-$seed/metrics.jsonl" "$WORK/new/$name-$seed/metrics.jsonl" &&
       cmp -s "$WORK/old/$name-$seed/model.pt" "$WORK/new/$name-$seed/model.pt"; then
      same=$((same + 1))
    else
      different=$((different + 1)); echo "differs: $name seed $seed"
    fi
  done
done < <(python3 "$ROOT/workflow/registry.py" runs --scale "$SCALE" 2>/dev/null)
echo "scale $SCALE: $same runs byte-identical, $different differ"
[[ "$different" -eq 0 ]]
