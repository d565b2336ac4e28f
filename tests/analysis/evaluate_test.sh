#!/usr/bin/env bash
# localsgd-analyze evaluate rebuilds a trained run's model from its run directory: its test
# loss and accuracy equal the trainer's own last evaluation exactly (same model, data and
# batches); a run directory without a model, or with a model of another config, is an error
# naming the file.   bash tests/analysis/evaluate_test.sh LOCALSGD_TRAIN LOCALSGD_ANALYZE
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TRAIN="${1:?}"; ANALYZE="${2:?}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"   # ok, not_ok, check and the tally

"$TRAIN" "$ROOT/tests/configs/tiny-run.toml" --out "$TMP/run" --set algorithm.kind=local \
  --set algorithm.local_steps=2 >"$TMP/train.log" 2>&1 || { echo "the trainer failed"; cat "$TMP/train.log"; exit 1; }
if "$ANALYZE" evaluate --out "$TMP/eval" tiny="$TMP/run" >"$TMP/eval.log" 2>&1 &&
   python3 - "$TMP/run/metrics.jsonl" "$TMP/eval.jsonl" <<'PY'
import json, sys
last = json.loads(open(sys.argv[1]).read().splitlines()[-1])
got = json.loads(open(sys.argv[2]).read())
sys.exit(not (got["loss"] == last["test_loss"] and got["accuracy"] == last["test_accuracy"] and got["samples"] == 200))
PY
then ok "evaluate: the saved model's test loss and accuracy equal the trainer's last record"
else not_ok "evaluate differs from the trainer's last record"; cat "$TMP/eval.log"; fi

if "$ANALYZE" evaluate --out "$TMP/train-eval" --split train --samples 100 tiny="$TMP/run" >/dev/null 2>&1 &&
   python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(not (r["split"] == "train" and r["samples"] == 100))' \
     "$TMP/train-eval.jsonl"; then ok "evaluate --split train --samples 100"
else not_ok "evaluate on 100 training samples"; fi

cp -r "$TMP/run" "$TMP/no-model" && rm "$TMP/no-model/model.pt"
if ! "$ANALYZE" evaluate --out "$TMP/x" a="$TMP/no-model" 2>"$TMP/err" && grep -q "no-model/model.pt: not found" "$TMP/err" &&
   [[ ! -e "$TMP/x.csv" ]]; then ok "a run without model.pt: error naming it, no outputs"
else not_ok "a run without model.pt"; cat "$TMP/err"; fi

cp -r "$TMP/run" "$TMP/other" && sed -i 's/^width = 0.25$/width = 0.5/' "$TMP/other/config.toml"
if ! "$ANALYZE" evaluate --out "$TMP/y" a="$TMP/other" 2>"$TMP/err" && grep -q "other/model.pt: not a model of this architecture" "$TMP/err"
then ok "a model from another config: error naming model.pt"
else not_ok "a model from another config"; cat "$TMP/err"; fi

echo "evaluate tests: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
