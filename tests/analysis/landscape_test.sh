#!/usr/bin/env bash
# localsgd-analyze hessian, interpolate and sharpness on models the trainer saved: the outputs
# have what they promise (eigenvalues with small residuals, Lanczos and power iteration agree,
# a trace with a standard error), the interpolation's endpoints equal `evaluate` of each model,
# and bad input (no model, a model of another config, a model with NaNs, bad options) is an
# error naming the file or option, with no outputs left.
#   bash tests/analysis/landscape_test.sh LOCALSGD_TRAIN LOCALSGD_ANALYZE
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TRAIN="${1:?}"; ANALYZE="${2:?}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"   # ok, not_ok, check and the tally
CONFIG="$ROOT/tests/configs/tiny-run.toml"

"$TRAIN" "$CONFIG" --out "$TMP/minibatch" --set algorithm.kind=minibatch >"$TMP/train.log" 2>&1 &&
"$TRAIN" "$CONFIG" --out "$TMP/local" --set algorithm.kind=local --set algorithm.local_steps=4 >>"$TMP/train.log" 2>&1 ||
  { echo "the trainer failed"; cat "$TMP/train.log"; exit 1; }
EVAL_BATCH=$(sed -n 's/^eval_batch = //p' "$TMP/minibatch/config.toml")

# Few samples and products (a Hessian-vector product costs several gradients); the numbers
# themselves are tested against closed forms in hessian_test.cpp.
if "$ANALYZE" hessian --out "$TMP/h" --samples 64 --batch 64 --top 2 --tolerance 1e-6 \
     --power-tolerance 1e-6 --max-iterations 300 --trace-probes 4 --density-steps 8 mb="$TMP/minibatch" >"$TMP/h.log" 2>&1 &&
   python3 - "$TMP/h.jsonl" "$TMP/h.csv" "$TMP/h.density.csv" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
lz, pw = r["lanczos"], r["power"]
top = lz["eigenvalues"][0]
checks = {
  "samples": r["samples"] == 64,
  "two eigenvalues, descending": len(lz["eigenvalues"]) == 2 and lz["eigenvalues"][0] >= lz["eigenvalues"][1],
  "small residuals": all(res < 1e-2 * abs(top) for res in lz["residuals"]),
  "lanczos = power": abs(pw["eigenvalues"][0] - top) < 1e-3 * abs(top),
  "products counted": lz["products"] > 0 and r["hessian_products"] >= lz["products"] + pw["products"] + 4,
  "trace with error": r["trace"]["standard_error"] > 0 and r["trace"]["probes"] == 4,
  "density weights sum to 1": abs(sum(r["density"]["weights"]) - 1) < 1e-6,
  "csv rows": len(open(sys.argv[2]).read().splitlines()) == 1 + 4,
  "density rows": len(open(sys.argv[3]).read().splitlines()) == 1 + 1000,
  "records per point": len(open(sys.argv[3].replace(".csv", ".jsonl")).read().splitlines()) == 1000,
}
bad = [k for k, v in checks.items() if not v]
print("failed:", bad, r) if bad else None
sys.exit(bool(bad))
PY
then ok "hessian: eigenvalues with small residuals, Lanczos = power iteration, trace, density"
else not_ok "hessian"; tail -5 "$TMP/h.log"; fi

# --trace-method hutch++ spends its 6 products as 2 sketch vectors, 2 deflated products and 2
# probes of the rest; the estimate is the deflated part plus the mean of the probes.
if "$ANALYZE" hessian --out "$TMP/hpp" --samples 64 --batch 64 --top 1 --method lanczos --trace-probes 6 \
     --trace-method hutch++ --density-steps 0 mb="$TMP/minibatch" >"$TMP/hpp.log" 2>&1 &&
   python3 - "$TMP/hpp.jsonl" <<'PY'
import json, sys
t = json.loads(open(sys.argv[1]).read())["trace"]
ok = (t["method"] == "hutch++" and t["products"] == 6 and t["probes"] == 2 and t["deflated"] != 0
      and t["standard_error"] >= 0)
print(t) if not ok else None
sys.exit(not ok)
PY
then ok "hessian --trace-method hutch++: 6 products, a deflated part and 2 probes"
else not_ok "hessian --trace-method hutch++"; tail -5 "$TMP/hpp.log"; fi

# Endpoints of the path = each model's own evaluation on the same samples and batches.
"$ANALYZE" evaluate --out "$TMP/eval-mb" --split train --samples 100 mb="$TMP/minibatch" >/dev/null 2>&1
"$ANALYZE" evaluate --out "$TMP/eval-local" --split train --samples 100 local="$TMP/local" >/dev/null 2>&1
"$ANALYZE" evaluate --out "$TMP/test-local" local="$TMP/local" >/dev/null 2>&1
if "$ANALYZE" interpolate --out "$TMP/i" --from 0 --to 1 --points 3 --samples 100 --batch "$EVAL_BATCH" \
     mb="$TMP/minibatch" local="$TMP/local" >"$TMP/i.log" 2>&1 &&
   python3 - "$TMP/i.jsonl" "$TMP/eval-mb.jsonl" "$TMP/eval-local.jsonl" "$TMP/test-local.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
mb, local, test = (json.loads(open(p).read()) for p in sys.argv[2:5])
close = lambda a, b: abs(a - b) <= 1e-6 * max(1, abs(b))
ok = (len(rows) == 3 and [r["alpha"] for r in rows] == [0, 0.5, 1]
      and close(rows[0]["train_loss"], mb["loss"]) and close(rows[0]["train_accuracy"], mb["accuracy"])
      and close(rows[2]["train_loss"], local["loss"]) and close(rows[2]["test_loss"], test["loss"])
      and rows[1]["train_loss"] != rows[0]["train_loss"])
print(rows, mb, local) if not ok else None
sys.exit(not ok)
PY
then ok "interpolate: the endpoints equal evaluate of each model"
else not_ok "interpolate endpoints"; tail -5 "$TMP/i.log"; fi

if "$ANALYZE" interpolate --out "$TMP/ir" --from -0.5 --to 1.5 --points 5 --samples 100 --statistics reestimate \
     mb="$TMP/minibatch" local="$TMP/local" >/dev/null 2>&1 &&
   python3 -c 'import json,sys; rows=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(not (len(rows)==5 and rows[0]["statistics"]=="reestimate"))' "$TMP/ir.jsonl"
then ok "interpolate --statistics reestimate over -0.5..1.5"
else not_ok "interpolate --statistics reestimate"; fi

if "$ANALYZE" sharpness --out "$TMP/s" --samples 100 --directions 2 --points 5 --epsilon 1e-3 --lbfgs-iterations 3 \
     mb="$TMP/minibatch" >"$TMP/s.log" 2>&1 &&
   python3 - "$TMP/s.jsonl" "$TMP/s.csv" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
k = r["epsilon_sharpness"][0]
mid = r["mean_train_loss"][2]  # alpha = 0: the model itself
ok = (r["alpha"] == [-1, -0.5, 0, 0.5, 1] and abs(mid - r["loss"]) <= 1e-6 * max(1, r["loss"])
      and max(r["mean_train_loss"]) > r["loss"] and k["sharpness_percent"] > 0 and k["epsilon"] == 1e-3
      and "Keskar" in k["definition"] and len(open(sys.argv[2]).read().splitlines()) == 1 + 2 * 5)
print(r) if not ok else None
sys.exit(not ok)
PY
then ok "sharpness: filter-normalised curves through the model's loss, Keskar sharpness > 0"
else not_ok "sharpness"; tail -5 "$TMP/s.log"; fi

# Bad input.
expect_error() {  # NAME PATTERN COMMAND...: exit 1 (or 2 for usage), the pattern in stderr, no outputs
  local name="$1" pattern="$2"; shift 2
  rm -f "$TMP"/bad.*
  if ! "$@" --out "$TMP/bad" 2>"$TMP/err" >/dev/null && grep -q -- "$pattern" "$TMP/err" && ! ls "$TMP"/bad.* >/dev/null 2>&1
  then ok "$name"; else not_ok "$name"; cat "$TMP/err"; fi
}
cp -r "$TMP/minibatch" "$TMP/no-model" && rm "$TMP/no-model/model.pt"
expect_error "hessian: a run without model.pt names it" "no-model/model.pt: not found" "$ANALYZE" hessian a="$TMP/no-model"
cp -r "$TMP/minibatch" "$TMP/other" && sed -i 's/^width = 0.25$/width = 0.5/' "$TMP/other/config.toml"
expect_error "sharpness: a model of another config names model.pt" "other/model.pt: not a model of this architecture" \
  "$ANALYZE" sharpness a="$TMP/other"
"$TRAIN" "$CONFIG" --out "$TMP/diverged" --set optimizer.lr=1e12 >/dev/null 2>&1
if grep -q '"status": "diverged"' "$TMP/diverged/summary.json" 2>/dev/null; then
  expect_error "hessian: a diverged model (NaN) names model.pt" "diverged/model.pt: the model has non-finite parameters" \
    "$ANALYZE" hessian a="$TMP/diverged"
else not_ok "the lr = 1e12 run did not diverge (no NaN model to test with)"; fi
"$TRAIN" "$CONFIG" --out "$TMP/wider" --set model.width=0.5 >/dev/null 2>&1
expect_error "interpolate: models of different architectures" "wider/config.toml: another model or dataset" \
  "$ANALYZE" interpolate a="$TMP/minibatch" b="$TMP/wider"
expect_error "interpolate needs two series" "two series" "$ANALYZE" interpolate a="$TMP/minibatch"
expect_error "hessian --bn: one of running, batch" "bn" "$ANALYZE" hessian --bn none a="$TMP/minibatch"
expect_error "hessian --top: a count" "top" "$ANALYZE" hessian --top x a="$TMP/minibatch"
expect_error "hessian --trace-method: one of hutchinson, hutch++" "trace-method" \
  "$ANALYZE" hessian --trace-method hutch a="$TMP/minibatch"
expect_error "hessian --trace-method hutch++: a multiple of 3 products" "multiple of 3 products, at least 6, got 4" \
  "$ANALYZE" hessian --trace-method hutch++ --trace-probes 4 a="$TMP/minibatch"
expect_error "sharpness --epsilon: positive numbers" "epsilon" "$ANALYZE" sharpness --epsilon 0,1 a="$TMP/minibatch"

echo "landscape tests: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
