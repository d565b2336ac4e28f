#!/usr/bin/env bash
# Runs one case of the bad-input corpus (tests/bad_inputs/cases/*.case; the format is in
# tests/bad_inputs/README.md) in a fresh directory under a time limit, prints every check and
# exits non-zero if any fails (77: the case needs root and this is not root).
#   bash tests/bad_inputs/run_case.sh CASE.case LOCALSGD_TRAIN LOCALSGD_ANALYZE
#   bash tests/bad_inputs/run_case.sh --make-run DIR LOCALSGD_TRAIN   (the shared completed run)
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TINY="$HERE/tiny.toml"
FASHION="${LOCALSGD_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
export LOCALSGD_FASHION_MNIST="$FASHION"

if [[ "${1:-}" == "--make-run" ]]; then
  # A completed run of tiny.toml that cases needing one copy (completed_run below), trained once
  # per ctest invocation (CTest fixture); trained aside and moved in, so a reader never sees half.
  dir="${2:?usage: run_case.sh --make-run DIR LOCALSGD_TRAIN}"; TRAIN="${3:?}"
  rm -rf "$dir.new.$$"
  "$TRAIN" "$TINY" --out "$dir.new.$$" >"$dir.log" 2>&1 || { echo "training $TINY failed:"; tail -5 "$dir.log"; exit 1; }
  rm -rf "$dir.old.$$"; [[ -e "$dir" ]] && mv "$dir" "$dir.old.$$"
  mv "$dir.new.$$" "$dir" && rm -rf "$dir.old.$$"
  echo "completed run in $dir: $(ls "$dir" | tr '\n' ' ')"
  exit 0
fi

CASE="${1:?usage: run_case.sh CASE.case LOCALSGD_TRAIN LOCALSGD_ANALYZE}"
# Absolute, as the commands run in the case's directory (a bare name is looked up in PATH).
absolute() { if [[ "$1" == */* ]]; then echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; else echo "$1"; fi; }
TRAIN="$(absolute "${2:?}")"; ANALYZE="$(absolute "${3:?}")"
NAME="$(basename "$CASE" .case)"
CASE_TMP="$(mktemp -d "${TMPDIR:-/tmp}/bad_input.$NAME.XXXXXX")"
WORK="$CASE_TMP/work"          # the case's directory: the command's cwd, nothing else goes here
CONFIG="$WORK/config.toml"
OUT="$WORK/out"
STDOUT="$CASE_TMP/stdout" STDERR_FILE="$CASE_TMP/stderr"
mkdir -p "$WORK"

BG_PIDS=() MOUNTS=()
cleanup() {
  local pid m
  for pid in "${BG_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
  rm -rf "$CASE_TMP"
}
trap cleanup EXIT

passed=0 failed=0
ok() { echo "ok   - $1"; passed=$((passed + 1)); }
not_ok() { echo "FAIL - $1"; failed=$((failed + 1)); }
# expect DESCRIPTION COMMAND...: one check, passed when COMMAND succeeds.
expect() { local what="$1"; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

# ---- helpers for setup(), run() and check() ------------------------------------------------
TIME_LIMIT=60
# limited COMMAND...: COMMAND under the case's time limit (exit 124 when it ran out).
limited() { timeout -k 5 "$TIME_LIMIT" "$@"; }
# background LOG COMMAND...: starts COMMAND (limited) with its output in LOG; killed at the end
# if still running. Its pid is in $BG_PID.
background() { local log="$1"; shift; timeout -k 5 "$TIME_LIMIT" "$@" >"$log" 2>&1 & BG_PID=$!; BG_PIDS+=("$BG_PID"); }
# wait_for_line FILE REGEX SECONDS: waits until FILE has a line matching REGEX.
wait_for_line() {
  local deadline=$((SECONDS + $3))
  until grep -qE -- "$2" "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "setup: no line /$2/ in $1 after $3 s"; return 1; }
    sleep 0.1
  done
}
# completed_run DEST: a completed run of tiny.toml in DEST (a copy of the shared one, else trained).
completed_run() {
  local dest="$1"
  mkdir -p "$dest"
  if [[ -n "${BAD_INPUT_RUN:-}" && -f "$BAD_INPUT_RUN/summary.json" ]]; then
    cp -r "$BAD_INPUT_RUN/." "$dest/"
  else
    "$TRAIN" "$TINY" --out "$dest" >"$CASE_TMP/completed_run.log" 2>&1 ||
      { echo "setup: training the completed run failed:"; tail -5 "$CASE_TMP/completed_run.log"; return 1; }
  fi
}
# fashion_copy DIR [TRAIN_N [TEST_N]]: Fashion-MNIST's four gzip IDX files holding only their
# first TRAIN_N (300) and TEST_N (100) samples, headers adjusted: a valid small dataset to damage.
fashion_copy() {
  mkdir -p "$1"
  python3 - "$FASHION" "$1" "${2:-300}" "${3:-100}" <<'PY'
import gzip, struct, sys
src, dst, n_train, n_test = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for prefix, n in (("train", n_train), ("t10k", n_test)):
    for kind, header, item in (("images-idx3-ubyte", 16, 784), ("labels-idx1-ubyte", 8, 1)):
        name = "%s-%s.gz" % (prefix, kind)
        with gzip.open("%s/%s" % (src, name)) as f:
            data = f.read(header + n * item)
        with gzip.open("%s/%s" % (dst, name), "wb", compresslevel=1) as f:
            f.write(data[:4] + struct.pack(">I", n) + data[8:])
PY
}
# idx_edit FILE.gz OFFSET BYTE...: overwrites the decompressed bytes at OFFSET (hex bytes: 0a 08 ...).
idx_edit() {
  python3 - "$@" <<'PY'
import gzip, sys
path, offset, values = sys.argv[1], int(sys.argv[2]), bytes(int(b, 16) for b in sys.argv[3:])
with gzip.open(path) as f:
    data = bytearray(f.read())
data[offset:offset + len(values)] = values
with gzip.open(path, "wb", compresslevel=1) as f:
    f.write(bytes(data))
PY
}
# cifar10_dir DIR [BATCH1_RECORDS]: CIFAR-10's six binary batches as sparse files of zeros (label
# 0, black images) of 10,000 records each, data_batch_1.bin holding BATCH1_RECORDS of them.
cifar10_dir() {
  local f
  mkdir -p "$1"
  for f in data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do truncate -s $((10000 * 3073)) "$1/$f.bin"; done
  truncate -s $((${2:-10000} * 3073)) "$1/data_batch_1.bin"
}
# mount_tmpfs DIR SIZE: a tmpfs of SIZE (e.g. 20k) on DIR, unmounted at the end (needs root).
mount_tmpfs() {
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2" tmpfs "$1" || { echo "setup: cannot mount a tmpfs on $1"; return 1; }
  MOUNTS+=("$1")
}
# sha_of FILE...: one line per file, "HASH  FILE" ("missing  FILE" when absent).
sha_of() { local f; for f in "$@"; do if [[ -f "$f" ]]; then sha256sum "$f"; else echo "missing  $f"; fi; done; }
# files_in DIR: the regular files and links under DIR, relative, sorted.
files_in() { find "$1" \( -type f -o -type l \) -printf '%P\n' 2>/dev/null | sort; }

# ---- the case ----------------------------------------------------------------------------------
DESCRIPTION="" CONFIG_TEXT=$'\x01'  # \x01: not set, the config is tiny.toml
CMD=() EXIT="" STDERR=() NOT_STDERR=() EXIST=() UNCHANGED=() NEEDS_ROOT=0 LEAVES_NOTHING=""
CRASH_MARKERS='terminate called|Aborted|core dumped|Segmentation fault|Exception raised from|frame #[0-9]'
setup() { :; }
check() { :; }
unset -f run
# shellcheck disable=SC1090
source "$CASE" || { echo "cannot read $CASE"; exit 1; }
if [[ "$NEEDS_ROOT" == 1 && "$(id -u)" != 0 ]]; then
  echo "SKIP - $NAME needs root (it mounts a tmpfs); run it as root"
  exit 77
fi
[[ -n "$EXIT" ]] || { echo "$CASE: no EXIT (the expected exit codes)"; exit 1; }
declare -F run >/dev/null || [[ ${#CMD[@]} -gt 0 ]] || { echo "$CASE: neither CMD nor run()"; exit 1; }
# A failing command leaves no file behind (anywhere in the case's directory) unless the case says
# otherwise; a succeeding one may.
if [[ -z "$LEAVES_NOTHING" ]]; then [[ " $EXIT " == *" 0 "* ]] && LEAVES_NOTHING=0 || LEAVES_NOTHING=1; fi

echo "# case $NAME: $DESCRIPTION"
if [[ "$CONFIG_TEXT" == $'\x01' ]]; then cp "$TINY" "$CONFIG"; else printf '%s' "$CONFIG_TEXT" >"$CONFIG"; fi
cd "$WORK" || exit 1
setup || { echo "FAIL - $NAME: setup failed"; exit 1; }

before_files="$(files_in "$WORK")"
before_sha="$(sha_of "${UNCHANGED[@]}")"
start=$EPOCHREALTIME
if declare -F run >/dev/null; then
  echo "# command: run() of $CASE"
  run >"$STDOUT" 2>"$STDERR_FILE"
else
  echo "# command: ${CMD[*]}"
  limited "${CMD[@]}" >"$STDOUT" 2>"$STDERR_FILE"
fi
code=$?
elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
echo "# exit code $code after $elapsed s"

if [[ "$code" == 124 || "$code" == 137 ]]; then
  not_ok "finished within $TIME_LIMIT s (it hung or ran far too long: exit $code from timeout)"
fi
if [[ " $EXIT " == *" $code "* ]]; then ok "exit code $code (expected ${EXIT// / or })"
else not_ok "exit code $code, expected ${EXIT// / or }"; fi
for re in "${STDERR[@]}"; do
  if grep -qE -- "$re" "$STDERR_FILE"; then ok "stderr matches /$re/"; else not_ok "stderr does not match /$re/"; fi
done
for re in "$CRASH_MARKERS" "${NOT_STDERR[@]}"; do
  if grep -qE -- "$re" "$STDERR_FILE"; then not_ok "stderr matches /$re/: $(grep -m1 -E -- "$re" "$STDERR_FILE")"
  else ok "stderr has no /$re/"; fi
done
if [[ "$LEAVES_NOTHING" == 1 ]]; then
  new="$(comm -13 <(echo "$before_files") <(files_in "$WORK") | sed '/^$/d')"
  if [[ -z "$new" ]]; then ok "no file left behind (no partial output)"
  else not_ok "files left behind: $(echo "$new" | tr '\n' ' ')"; fi
fi
for f in "${EXIST[@]}"; do expect "exists: ${f#"$WORK/"}" test -e "$f"; done
if ((${#UNCHANGED[@]})); then
  after_sha="$(sha_of "${UNCHANGED[@]}")"
  if [[ "$after_sha" == "$before_sha" ]]; then ok "unchanged, byte for byte: ${UNCHANGED[*]#"$WORK/"}"
  else not_ok "changed: $(diff <(echo "$before_sha") <(echo "$after_sha") | grep '^>' | awk '{print $3}' | tr '\n' ' ')"; fi
fi
check

if ((failed)); then
  echo "# stderr (last 25 lines, the effective config left out):"
  grep -vE '^(\[|[a-z_]+ = |# |$)' "$STDERR_FILE" | tail -25 | sed 's/^/#   /'
  echo "bad_input $NAME: $failed of $((passed + failed)) checks FAILED"
  exit 1
fi
echo "bad_input $NAME: all $passed checks passed"
