#!/usr/bin/env bash
# Where one run's time and memory go: trains the base config (default: the small scale's) with
# the given overrides, evaluated 10 times, and prints each phase's share of the run (timing.jsonl:
# data and augmentation, forward, backward, optimizer, exchange, evaluation), the peak resident
# set, and the resident set at the first evaluation (10 % of the run) against the last (100 %).
#
#   [LOCALSGD_TRAIN=path] bash bench/run_profile.sh [--config FILE] [--label TEXT] [--set key=value]...
#
# Prints the command, the machine, and one Markdown table row (header with --header).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source bench/lib.sh
CONFIG="configs/small/fashion-mnist.toml"
LABEL="" HEADER=0 SETS=()
usage() { usage_lines 2 9; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) CONFIG="$2"; shift 2 ;;
    --label) LABEL="$2"; shift 2 ;;
    --set) SETS+=(--set "$2"); shift 2 ;;
    --header) HEADER=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument $1" 2 ;;
  esac
done
require_trainer
[[ -f "$CONFIG" ]] || die "$CONFIG not found"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/localsgd-profile.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# Ten evaluations over the run, whatever its length: the config's epochs after the overrides.
EPOCHS="$(python3 - "$CONFIG" "${SETS[@]}" <<'PY'
import sys, tomllib
epochs = tomllib.load(open(sys.argv[1], "rb")).get("run", {}).get("epochs", 1.0)
args = sys.argv[2:]
for flag, kv in zip(args[::2], args[1::2]):
    key, _, value = kv.partition("=")
    if key == "run.epochs":
        epochs = float(value)
print(epochs)
PY
)"
cmd=("$TRAINER" "$CONFIG" --out "$TMP/run" "${SETS[@]}"
  --set "run.eval_every_epochs=$(awk -v e="$EPOCHS" 'BEGIN { printf "%.6g", e / 10 }')")
echo "trainer: $(printf '%q ' "${cmd[@]}")"
"${cmd[@]}" >"$TMP/run.log" 2>&1 || { cat "$TMP/run.log" >&2; die "the trainer failed"; }
machine_line
python3 - "$TMP/run" "$LABEL" "$HEADER" <<'PY'
import json, sys
run, label, header = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
lines = [json.loads(l) for l in open(f"{run}/timing.jsonl")]
summary = json.load(open(f"{run}/summary.json"))
last, first = lines[-1], lines[0]
total = last["train_seconds"] + last["evaluation_seconds"]  # wall_seconds is taken before the last evaluation
phases = ["data", "forward", "backward", "optimizer", "exchange", "evaluation"]
shares = [last[f"{p}_seconds"] / total for p in phases]
other = 1 - sum(shares)
if header:
    print("| run | wall (s) | " + " | ".join(phases) + " | other | peak RSS (MB) | RSS 10 % (MB) | RSS 100 % (MB) | 100 % / 10 % |")
    print("|---|---:|" + "---:|" * (len(phases) + 1) + "---:|---:|---:|---:|")
mb = lambda b: b / 2**20
print(f"| {label} | {total:.1f} | " + " | ".join(f"{100 * s:.1f} %" for s in shares) + f" | {100 * other:.1f} % | "
      f"{mb(last['peak_rss_bytes']):.0f} | {mb(first['rss_bytes']):.0f} | {mb(last['rss_bytes']):.0f} | "
      f"{last['rss_bytes'] / first['rss_bytes']:.3f} |")
if summary["status"] != "completed":
    sys.exit(f"run_profile.sh: the run ended {summary['status']}")
PY
