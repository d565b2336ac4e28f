# What the bench/ scripts share: errors, the trainer's path, the machine line, a config's
# training set size. Sourced after the script has cd'd to the project root.

BENCH_SCRIPT="$(basename "${BASH_SOURCE[1]:-bench}")"
TRAINER="${LOCALSGD_TRAIN:-build/localsgd-train}"  # another build: LOCALSGD_TRAIN=build-x/localsgd-train

die() {  # message [exit code, default 1]
  echo "$BENCH_SCRIPT: error: $1" >&2
  exit "${2:-1}"
}

usage_lines() {  # first last: lines of the script's header comment, unprefixed
  sed -n "${1},${2}p" "${BASH_SOURCE[-1]}" | sed 's/^# \{0,1\}//'
}

require_trainer() {
  [[ -x "$TRAINER" ]] || die "$TRAINER not found; run bash scripts/setup.sh"
}

machine_line() {  # extra facts for the line, e.g. the MPI version
  local cpu_model
  cpu_model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "machine: nproc=$(nproc), CPU: ${cpu_model:-unknown}${1:+, $1}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

train_subset() {  # config: its data.train_subset (60,000 when unset)
  python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["data"].get("train_subset", 60000))' "$1"
}
