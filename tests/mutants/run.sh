#!/usr/bin/env bash
# Mutation check: does the test suite notice a one-line change to the trainer? Each mutant of
# tests/mutants/mutants.txt is applied to a private copy of the committed tree (a git worktree
# under $TMPDIR), which is rebuilt incrementally, and the unit tests (localsgd_tests: unit and
# CLI tests), the MPI tests at 2 ranks and the refactor check run against it. A mutant is killed when a test fails.
#   bash tests/mutants/run.sh            # every mutant, about 2 minutes each on 2 cores
#   bash tests/mutants/run.sh NAME...    # only these
# Prints one line per mutant and a summary; exits 1 if any mutant survives.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LIST="$ROOT/tests/mutants/mutants.txt"
COPY="${TMPDIR:-/tmp}/localsgd-mutants"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

if [[ ! -d "$COPY" ]]; then
  git -C "$ROOT" worktree add --detach "$COPY" HEAD >/dev/null
else
  git -C "$COPY" checkout -q --detach "$(git -C "$ROOT" rev-parse HEAD)"
fi
git -C "$COPY" checkout -q -- .
cmake -S "$COPY" -B "$COPY/build" -DCMAKE_BUILD_TYPE=Release -DLOCALSGD_WITH_NCCL=OFF >/dev/null
build() {
  cmake --build "$COPY/build" -j"$(nproc)" --target localsgd_tests localsgd_mpi_tests localsgd-train >"$COPY/build.log" 2>&1
}
build || { echo "the unmutated copy does not build; see $COPY/build.log"; exit 2; }

# Runs the tests against the copy; 0 when they all pass.
tests_pass() {
  (cd "$COPY/build" && ./localsgd_tests --gtest_brief=1 >"$COPY/tests.log" 2>&1) &&
    (cd "$COPY/build" && mpirun -np 2 ./localsgd_mpi_tests --gtest_brief=1 >>"$COPY/tests.log" 2>&1) &&
    bash "$COPY/tests/identity/check.sh" "$COPY/build/localsgd-train" >"$COPY/identity.log" 2>&1
}

killed=0 survived=0 names=()
while IFS= read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  name="${line%% | *}"; rest="${line#* | }"
  file="${rest%% | *}"; rest="${rest#* | }"
  text="${rest%% | *}"; replacement="${rest#* | }"
  if [[ $# -gt 0 ]] && [[ ! " $* " == *" $name "* ]]; then continue; fi
  if ! python3 - "$COPY/$file" "$text" "$replacement" <<'PY'
import sys
path, text, replacement = sys.argv[1:]
source = open(path).read()
if source.count(text) != 1:
    sys.exit(f"{path}: the mutant's text occurs {source.count(text)} times, expected once")
open(path, "w").write(source.replace(text, replacement))
PY
  then echo "error: $name does not apply"; exit 2; fi
  if ! build; then
    echo "killed (does not compile): $name"; killed=$((killed + 1))
  elif tests_pass; then
    echo "SURVIVED: $name ($file)"; survived=$((survived + 1)); names+=("$name")
  else
    failing="$(grep -m3 -o '\[  FAILED  \] [A-Za-z0-9_.]*' "$COPY/tests.log" | sed 's/\[  FAILED  \] //' | paste -sd, -)"
    echo "killed: $name by ${failing:-the refactor check}"; killed=$((killed + 1))
  fi
  git -C "$COPY" checkout -q -- "$file"
done <"$LIST"
build >/dev/null 2>&1 || true
echo "mutants: $killed killed, $survived survived${names:+ (${names[*]})}"
[[ "$survived" -eq 0 ]]
