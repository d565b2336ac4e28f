#!/usr/bin/env bash
# The refactor check: trains every case of cases.txt with the given trainer and compares the
# sha256 of each run's metrics.jsonl and model.pt with expected.sha256, which the trainer as it
# was before a refactor wrote (--write). A refactor that changes any number fails here.
#   bash tests/identity/check.sh BUILD/localsgd-train            # compare
#   bash tests/identity/check.sh OLD/localsgd-train --write [KIND] # record the reference (of a CPU kind)
# The hashes are of the CPU's kernels: LibTorch dispatches on the instruction set, and CPUs of
# another kind round differently (seen 2026-12-02 on an AVX2-only EPYC: every case differed, with
# the same trainer). So each kind of CPU has its reference, expected.sha256 and
# expected.<kind>.sha256, each written by the trainer before a refactor on that CPU (a git
# worktree of the commit before it, --write KIND); the outputs must equal one of them whole.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TRAIN="${1:?usage: check.sh LOCALSGD_TRAIN [--write [KIND]]}"
MODE="${2:-compare}"
KIND="${3:-}"   # --write: the reference's kind ("" = expected.sha256)
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
  target="$HERE/expected${KIND:+.$KIND}.sha256"
  cp "$actual" "$target"
  echo "wrote $(wc -l <"$actual") hashes to $target"
  exit 0
fi
for reference in "$HERE"/expected*.sha256; do
  if diff -q "$reference" "$actual" >/dev/null; then
    echo "ok: $(wc -l <"$actual") files byte-identical to the reference $(basename "$reference")"
    echo "1 passed, 0 failed"
    exit 0
  fi
done
diff "$HERE/expected.sha256" "$actual" >"$WORK/diff"
echo "not ok: outputs differ from every reference (shown: expected.sha256; < expected, > actual):"
cat "$WORK/diff"
echo "0 passed, 1 failed"
exit 1
