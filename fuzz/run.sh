#!/usr/bin/env bash
# Builds the libFuzzer targets with clang into build-fuzz/ and fuzzes each for a while on its seed
# corpus (README, "Fuzzing"). Prints per target the executions, seconds and "no finding" or the
# finding (the reproducer is saved under build-fuzz/findings/<target>/); exits non-zero on any
# finding, on a stale seed corpus, or when clang/libFuzzer is missing.
#
#   bash fuzz/run.sh                        # every target, FUZZ_SECONDS (default 30) each
#   FUZZ_SECONDS=600 bash fuzz/run.sh idx   # one target, 10 minutes
#   bash fuzz/run.sh --reproduce config fuzz/findings/config/toml-unreachable-whitespace.toml
#
# Environment: FUZZ_SECONDS (per target), FUZZ_BUILD_DIR (default build-fuzz), FUZZ_PARALLEL
# (targets fuzzed at once, default 2: one core each), FUZZ_JOBS (build jobs, default 2).
# The working corpus (seeds plus what the fuzzer found interesting) is build-fuzz/corpus/<target>;
# fuzz/corpus/<target> (the committed seeds) is only read.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-30}"
PARALLEL="${FUZZ_PARALLEL:-2}"
JOBS="${FUZZ_JOBS:-2}"
ALL_TARGETS=(config idx cifar)

log() { printf '[fuzz] %s\n' "$*"; }
die() { printf '[fuzz] ERROR: %s\n' "$*" >&2; exit 1; }

# Per target: the longest input (-max_len, bytes) and the dictionary. Inputs stay small: a
# dataset header that makes a reader allocate unboundedly is a finding (rss/malloc limits below).
max_len() { case "$1" in config) echo 4096 ;; idx) echo 4096 ;; cifar) echo 8192 ;; esac; }

# ---------------------------------------------------------------- toolchain
CXX_FUZZ="${FUZZ_CXX:-clang++}"
if ! command -v "$CXX_FUZZ" >/dev/null 2>&1; then
  die "$CXX_FUZZ not found: the fuzz targets need clang with libFuzzer; run scripts/setup.sh (it installs clang and libclang-rt-14-dev)"
fi
fuzzer_lib="$("$CXX_FUZZ" -print-file-name=libclang_rt.fuzzer-x86_64.a)"
if [[ ! -f "$fuzzer_lib" ]]; then
  die "libFuzzer (libclang_rt.fuzzer-x86_64.a) not found for $CXX_FUZZ: run scripts/setup.sh (it installs libclang-rt-14-dev)"
fi
for symbolizer in /usr/lib/llvm-14/bin/llvm-symbolizer "$(command -v llvm-symbolizer || true)"; do
  if [[ -n "$symbolizer" && -x "$symbolizer" ]]; then export ASAN_SYMBOLIZER_PATH="$symbolizer"; break; fi
done

# ---------------------------------------------------------------- arguments
reproduce=""
if [[ "${1:-}" == "--reproduce" ]]; then
  [[ $# -ge 3 ]] || die "usage: fuzz/run.sh --reproduce TARGET FILE..."
  reproduce="$2"
  shift 2
  files=("$@")
  targets=("$reproduce")
else
  targets=("$@")
  [[ ${#targets[@]} -gt 0 ]] || targets=("${ALL_TARGETS[@]}")
fi
for t in "${targets[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || die "unknown target '$t' (expected: ${ALL_TARGETS[*]})"
done

# ---------------------------------------------------------------- build
build_start=$(date +%s)
if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
  log "configuring $BUILD with $CXX_FUZZ"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_CXX_COMPILER="$CXX_FUZZ" -DCMAKE_BUILD_TYPE=Debug -DLOCALSGD_FUZZ=ON \
    -DBUILD_TESTING=OFF -DLOCALSGD_WITH_MPI=OFF -DLOCALSGD_WITH_NCCL=OFF >"$BUILD.configure.log" 2>&1 ||
    { cat "$BUILD.configure.log" >&2; die "cmake configure of $BUILD failed"; }
  mv "$BUILD.configure.log" "$BUILD/configure.log"
fi
build_targets=()
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
log "building ${build_targets[*]} in $BUILD (-j$JOBS)"
if ! cmake --build "$BUILD" -j "$JOBS" --target "${build_targets[@]}" >"$BUILD/build.log" 2>&1; then
  grep -E "error|Error" "$BUILD/build.log" | head -40 >&2 || true
  die "building the fuzz targets failed (full log: $BUILD/build.log)"
fi
log "build: $(( $(date +%s) - build_start )) s"

# ---------------------------------------------------------------- sanitizer settings
# A UBSan report ends the run (also compiled in: -fno-sanitize-recover); ASan reports leaks too.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# The targets write each input's files into a scratch directory: tmpfs if there is one (two orders
# of magnitude more executions than a disk), removed at exit.
scratch_base=/dev/shm
[[ -d "$scratch_base" && -w "$scratch_base" ]] || scratch_base="$BUILD"
SCRATCH="$(mktemp -d "$scratch_base/localsgd-fuzz.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
export TMPDIR="$SCRATCH"

common_flags() {  # target
  echo -max_len="$(max_len "$1")" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
    -dict="$ROOT/fuzz/dicts/$1.dict" -print_final_stats=1
}

# ---------------------------------------------------------------- --reproduce
if [[ -n "$reproduce" ]]; then
  # Known findings are skipped by the targets unless LOCALSGD_FUZZ_KNOWN=1 (fuzz/findings/README.md).
  set +e
  LOCALSGD_FUZZ_KNOWN=1 LOCALSGD_FUZZ_VERBOSE=1 "$BUILD/fuzz_$reproduce" $(common_flags "$reproduce") -runs=1 "${files[@]}"
  rc=$?
  set -e
  log "fuzz_$reproduce exit code $rc ($([[ $rc -eq 0 ]] && echo "no finding" || echo "finding reproduced"))"
  exit "$rc"
fi

# ---------------------------------------------------------------- seeds still valid?
# Each seed must load (or, named reject-*, be refused with the documented error); a trainer change
# that breaks one would quietly leave its parsing paths unfuzzed.
stale=0
for t in "${targets[@]}"; do
  seeds=("$ROOT"/fuzz/corpus/"$t"/*)
  out="$(LOCALSGD_FUZZ_VERBOSE=1 "$BUILD/fuzz_$t" $(common_flags "$t") -runs=1 "${seeds[@]}" 2>&1)" ||
    { printf '%s\n' "$out" | tail -40 >&2; die "fuzz_$t fails on its own seed corpus (fuzz/corpus/$t)"; }
  for seed in "${seeds[@]}"; do
    result="$(printf '%s\n' "$out" | awk -v f="Running: $seed" '$0 == f {on = 1; next} /^Running: / {on = 0}
              on && /^==localsgd-fuzz== (loaded|expected)/ {print ($2 ~ /^loaded/ ? "loaded" : "expected"); exit}')"
    want=loaded
    [[ "$(basename "$seed")" == reject-* ]] && want=expected
    if [[ "$result" != "$want" ]]; then
      log "STALE SEED: $seed: wanted '$want', got '${result:-nothing}' (LOCALSGD_FUZZ_VERBOSE=1 $BUILD/fuzz_$t $seed says why; fix fuzz/make_seeds.py and rerun it)"
      stale=1
    fi
  done
done
[[ $stale -eq 0 ]] || die "the seed corpus is stale (see above)"
log "seeds: every seed of ${targets[*]} loads or is refused as named"

# ---------------------------------------------------------------- fuzz
fuzz_one() {  # target -> writes $BUILD/logs/<target>.{log,result}
  local t="$1" work="$BUILD/corpus/$1" findings="$BUILD/findings/$1" start end rc
  mkdir -p "$work" "$findings" "$BUILD/logs"
  start=$(date +%s.%N)
  set +e
  "$BUILD/fuzz_$t" $(common_flags "$t") -max_total_time="$SECONDS_PER_TARGET" \
    -artifact_prefix="$findings/" "$work" "$ROOT/fuzz/corpus/$t" >"$BUILD/logs/$t.log" 2>&1
  rc=$?
  set -e
  end=$(date +%s.%N)
  printf '%s %s\n' "$rc" "$(echo "$end - $start" | bc)" >"$BUILD/logs/$t.result"
}

log "fuzzing ${targets[*]} for $SECONDS_PER_TARGET s each, $PARALLEL at a time"
pids=()
for t in "${targets[@]}"; do
  while [[ $(jobs -rp | wc -l) -ge $PARALLEL ]]; do wait -n || true; done
  rm -f "$BUILD/logs/$t.result"
  fuzz_one "$t" &
  pids+=($!)
done
wait "${pids[@]}" || true

stat_of() { sed -n "s/^stat::$2: *//p" "$BUILD/logs/$1.log" | tail -1; }
failed=0
printf '\n%-8s %12s %9s %9s %8s  %s\n' target executions seconds exec/s corpus result
for t in "${targets[@]}"; do
  read -r rc secs <"$BUILD/logs/$t.result"
  execs="$(stat_of "$t" number_of_executed_units)"
  corpus="$(ls "$BUILD/corpus/$t" | wc -l)"
  if [[ "$rc" -eq 0 && -n "$execs" ]]; then
    result="no finding"
  else
    failed=1
    artifact="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$BUILD/logs/$t.log" | tail -1)"
    what="$(grep -m1 -E '==localsgd-fuzz== FINDING|^SUMMARY:|ERROR: libFuzzer|ERROR: AddressSanitizer|runtime error|uncaught exception|deadly signal' \
            "$BUILD/logs/$t.log" || echo "exit code $rc")"
    result="FINDING (exit $rc): $what; reproducer: ${artifact:-none saved}; log: $BUILD/logs/$t.log"
    [[ -n "$execs" ]] || execs="$(sed -n 's/^#\([0-9]*\).*/\1/p' "$BUILD/logs/$t.log" | tail -1)"
  fi
  rate="$(awk -v e="${execs:-0}" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? e / s : 0) }')"
  printf '%-8s %12s %9.1f %9s %8s  %s\n' "$t" "${execs:-?}" "$secs" "$rate" "$corpus" "$result"
done
echo
for t in "${targets[@]}"; do  # not findings: what the harness tolerates on purpose (fuzz/toml_assert.h)
  grep -h '^==localsgd-fuzz== note:' "$BUILD/logs/$t.log" | sort -u | sed "s/^==localsgd-fuzz== note: /[fuzz] $t note: /" || true
done
if [[ $failed -ne 0 ]]; then
  log "FAILED: a finding (see above; rerun one with: bash fuzz/run.sh --reproduce TARGET FILE)"
  exit 1
fi
log "done: no crash, hang, leak, sanitizer report or undocumented exception"
