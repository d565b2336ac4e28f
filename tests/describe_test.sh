#!/usr/bin/env bash
# The workflow's copy of the trainer's description (workflow/trainer_description.json) must be
# what this trainer prints: the trainer is the one source of truth for kinds and their keys.
#   bash tests/describe_test.sh BUILD/localsgd-train
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRAIN="${1:?usage: describe_test.sh LOCALSGD_TRAIN}"
printed="$(mktemp)"
trap 'rm -f "$printed"' EXIT
"$TRAIN" --describe >"$printed" || { echo "not ok: $TRAIN --describe failed"; exit 1; }
if python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
     "$printed" "$ROOT/workflow/trainer_description.json"; then
  echo "ok: workflow/trainer_description.json is what localsgd-train --describe prints"
else
  echo "not ok: workflow/trainer_description.json differs from localsgd-train --describe;"
  echo "  regenerate it: build/localsgd-train --describe > workflow/trainer_description.json"
  diff "$printed" "$ROOT/workflow/trainer_description.json" | head -20
  exit 1
fi
