#!/usr/bin/env bash
# The refactor check: trains every case of cases.txt with the given trainer and compares the
# sha256 of each run's metrics.jsonl and model.pt with expected.sha256, which the trainer as it
# was before a refactor wrote (--write). A refactor that changes any number fails here.
#   bash tests/identity/check.sh BUILD/localsgd-train            # compare
#   bash tests/identity/check.sh OLD/localsgd-train --write      # record the reference
# The hashes are of this machine's kernels; another CPU may round differently: then record the
# reference there with the commit before the refactor (git worktree) and compare.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TRAIN="${1:?usage: check.sh LOCALSGD_TRAIN [--write]}"
MODE="${2:-compare}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
actual="$WORK/actual.sha256"
: >"$actual"
while read -r name base rest; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  # shellcheck disable=SC2086  # the --set arguments are words by design
  if ! "$TRAIN" "$ROOT/$base" --out "$WORK/$name" $rest >"$WORK/$name.log" 2>&1; then
    echo "not ok: $name: the trainer failed"; tail -5 "$WORK/$name.log"; exit 1
  fi
  (cd "$WORK/$name" && sha256sum metrics.jsonl model.pt) | sed "s|  |  $name/|" >>"$actual"
done <"$HERE/cases.txt"
if [[ "$MODE" == "--write" ]]; then
  cp "$actual" "$HERE/expected.sha256"
  echo "wrote $(wc -l <"$actual") hashes to $HERE/expected.sha256"
  exit 0
fi
if diff "$HERE/expected.sha256" "$actual" >"$WORK/diff"; then
  echo "ok: $(wc -l <"$actual") files byte-identical to the reference"
  echo "1 passed, 0 failed"
else
  echo "not ok: outputs differ from the reference (< expected, > actual):"; cat "$WORK/diff"
  echo "0 passed, 1 failed"
  exit 1
fi
