#!/usr/bin/env bash
# Tests of the Snakemake workflow and of workflow/tables.py. Sections 1-5 run no real
# training: the workflow is copied into a temporary directory next to a stub trainer and a stub
# analyzer that always fail, so a test that started a training or drawing job would fail, and
# the results of an earlier run in the checkout (results/, tables/, figures/) neither change nor
# influence the tests. Section 6 runs the whole smoke scale end to end in another temporary copy with the
# real trainer and analyzer (LOCALSGD_TRAINER, LOCALSGD_ANALYZER; default build/...).
#
#   bash tests/workflow_test.sh          (needs .venv and build/ from scripts/setup.sh)
set -uo pipefail
# The smoke scale's MPI rule runs mpirun, which refuses root without these.
[[ $(id -u) -eq 0 ]] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SNAKEMAKE="$ROOT/.venv/bin/snakemake"
PYTHON="$ROOT/.venv/bin/python"
SCALE=small

# shellcheck source=lib.sh
source "$ROOT/tests/lib.sh"   # ok, not_ok, check and the tally
finish() {
  printf 'workflow-tests: %d passed, %d failed\n' "$passed" "$failed"
  [[ "$failed" -eq 0 ]]
  exit
}

if [[ ! -x "$SNAKEMAKE" || ! -x "$PYTHON" ]]; then
  not_ok "the venv exists ($SNAKEMAKE; run bash scripts/setup.sh)"
  finish
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/localsgd-workflow-test.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# A copy of the workflow, with a stub trainer that fails if anything runs it.
WF="$TMP/repo"
mkdir -p "$WF/build"
cp -r "$ROOT/Snakefile" "$ROOT/workflow" "$ROOT/configs" "$ROOT/profiles" "$WF/"
rm -rf "$WF/workflow/__pycache__"
printf '#!/bin/sh\necho "stub trainer: the workflow test must not train" >&2\nexit 1\n' \
  > "$WF/build/localsgd-train"
printf '#!/bin/sh\necho "stub analyzer: the workflow test must not draw" >&2\nexit 1\n' \
  > "$WF/build/localsgd-analyze"
printf '#!/bin/sh\necho "stub microbench: the workflow test must not measure" >&2\nexit 1\n' \
  > "$WF/build/localsgd-microbench"
chmod +x "$WF/build/localsgd-train" "$WF/build/localsgd-analyze" "$WF/build/localsgd-microbench"
# Let the stubs be older than the configs, like a real build that is `ancient` anyway.
touch -d '2000-01-01' "$WF/build/localsgd-train" "$WF/build/localsgd-analyze" "$WF/build/localsgd-microbench"

# ------------------------------------------------------------------ 1. dry run
# One table as the default target (experiments=table12). Expected counts straight from its
# declaration, not through workflow/registry.py: K=32 mini-batch SGD at 1, 4/3 and 5/3 x the
# epochs and post-local SGD at H=16 = 4 runs, x the small scale's 3 seeds.
EXAMPLE=table12
expected_train=12
dry="$TMP/dry-run.txt"
if (cd "$WF" && "$SNAKEMAKE" -n --cores 2 --config "scale=$SCALE" "experiments=$EXAMPLE") >"$dry" 2>&1; then
  ok "snakemake -n exits 0"
else
  not_ok "snakemake -n exits 0" "$dry"
fi
job_count() {  # job_count RULE: the count of RULE in the dry run's "Job stats" table
  awk -v rule="$1" '/^Job stats:/ {on = 1} on && $1 == rule {print $2; exit}' "$dry"
}
got_train="$(job_count train)"
got_table="$(job_count experiment_table)"
check "dry run lists $expected_train train jobs (4 runs x 3 seeds), got ${got_train:-none}" \
  test "${got_train:-0}" -eq "$expected_train"
check "dry run lists 1 table job, got ${got_table:-none}" test "${got_table:-0}" -eq 1
check "dry run targets tables/$SCALE/$EXAMPLE.md, .csv and .tex" \
  grep -q "output: tables/$SCALE/$EXAMPLE.md, tables/$SCALE/$EXAMPLE.csv, tables/$SCALE/$EXAMPLE.tex" "$dry"
# One train command line in full: run dir, base config, the variant's overrides, the seed.
# (Rules run their commands from run: blocks, which a dry run does not print: run one train job
# against a stub trainer that records its arguments, writes a partial summary.json into its
# --out directory, then fails as every stub here does.)
first_variant=minibatch-k4-b32   # table1's K=4 mini-batch SGD at B_loc = 128 / 4
cat >"$TMP/recording-trainer" <<EOF
#!/bin/sh
echo "\$0 \$*" >"$TMP/train-args.txt"
while [ \$# -gt 0 ]; do
  if [ "\$1" = --out ]; then mkdir -p "\$2" && echo partial >"\$2/summary.json"; fi
  shift
done
exit 1
EOF
chmod +x "$TMP/recording-trainer"
mkdir -p "$TMP/wf-record"   # its own copy: the failed job's metadata stays out of $WF
cp -r "$ROOT/Snakefile" "$ROOT/workflow" "$ROOT/configs" "$ROOT/profiles" "$TMP/wf-record/"
(cd "$TMP/wf-record" && "$SNAKEMAKE" --cores 1 --config "scale=$SCALE" "trainer=$TMP/recording-trainer" -- \
   "results/$SCALE/runs/$first_variant/seed1/summary.json") >"$TMP/one-train.txt" 2>&1
check "train command has --out, --set algorithm.kind and --set run.seed" \
  grep -qE "recording-trainer [^ ]*configs/$SCALE/[^ ]+\.toml --out results/$SCALE/runs/$first_variant/seed1 .*--set algorithm\.kind=\"minibatch\" .*--set algorithm\.workers=4 .*--set run\.seed=1 --set run\.threads=1" "$TMP/train-args.txt"
check "train command carries the scale's own overrides (run.worker_passes)" \
  grep -qE -- "--set run\.worker_passes=\"stacked\"" "$TMP/train-args.txt"
check "the stub wrote a partial summary.json before failing" grep -q "^Removing output files of failed job train" "$TMP/one-train.txt"
check "a failed train job leaves no summary.json behind" test ! -e "$TMP/wf-record/results/$SCALE/runs/$first_variant/seed1/summary.json"
# The default target (no --config) is every table and figure of the "small" scale.
if (cd "$WF" && "$SNAKEMAKE" -n --cores 2) >"$TMP/dry-default.txt" 2>&1 &&
   grep -q "output: tables/small/table1.md" "$TMP/dry-default.txt"; then
  ok "default target includes tables/small/table1.md"
else
  not_ok "default target includes tables/small/table1.md" "$TMP/dry-default.txt"
fi

# ------------------------------------------------------------------ 2. lint
lint="$TMP/lint.txt"
(cd "$WF" && "$SNAKEMAKE" --lint) >"$lint" 2>&1
lint_rc=$?
if [[ $lint_rc -eq 0 ]] && ! grep -qE '^ +\* |^Lints for' "$lint" &&
   grep -q 'your workflow is in a good condition' "$lint"; then
  ok "snakemake --lint reports nothing"
else
  not_ok "snakemake --lint reports nothing (exit $lint_rc)" "$lint"
fi

# ------------------------------------------------------------------ 3. tables on hand-made runs
# Accuracy, time-to-accuracy, speedup and micro-benchmark tables against hand computations
# (tests/workflow/*_test.py).
unit_log="$TMP/unit.txt"
if "$PYTHON" -m unittest discover -s "$ROOT/tests/workflow" -p '*_test.py' >"$unit_log" 2>&1; then
  ok "tables equal hand computations ($(grep -oE 'Ran [0-9]+ tests' "$unit_log"))"
else
  not_ok "tables equal hand computations" "$unit_log"
fi

# ------------------------------------------------------------------ 4. table rule, end to end
# Fake every run of table12 (newer than the configs), then let Snakemake build the table: only
# the table job may run (the stub trainer fails if a train job starts).
"$PYTHON" - "$WF" "$SCALE" "$EXAMPLE" <<'EOF'
import json, sys
from pathlib import Path
wf, scale, exp = sys.argv[1:]
sys.path.insert(0, str(Path(wf) / "workflow"))
import registry
reg = registry.build(Path(wf) / "configs", scale)
for i, (v, seed) in enumerate(reg.runs(exp)):
    d = Path(wf) / registry.run_dir("results", scale, v.name, seed)
    d.mkdir(parents=True, exist_ok=True)
    for name in ("metrics.jsonl", "timing.jsonl", "config.toml", "model.pt"):
        (d / name).write_text("")
    (d / "summary.json").write_text(json.dumps({
        "status": "completed", "final_test_accuracy": 0.5 + 0.01 * i,
        "best_test_accuracy": 0.6 + 0.01 * i, "diverged_at_step": None}))
EOF
run_log="$TMP/run.txt"
if (cd "$WF" && "$SNAKEMAKE" --cores 1 --config "scale=$SCALE" "experiments=$EXAMPLE") >"$run_log" 2>&1; then
  ok "snakemake builds the table from existing runs"
else
  not_ok "snakemake builds the table from existing runs" "$run_log"
fi
check "no train job ran" bash -c "! grep -q 'rule train' '$run_log'"
check "table has a header and its two rows (mini-batch, post-local)" \
  test "$(grep -c '^| ' "$WF/tables/$SCALE/$EXAMPLE.md" 2>/dev/null)" -eq 3
check "csv has a header and one line per run (4)" \
  test "$(wc -l <"$WF/tables/$SCALE/$EXAMPLE.csv" 2>/dev/null)" -eq 5

# ------------------------------------------------------------------ 5. experiment registry
# Train jobs per scale, hard-coded from the declarations (configs/experiments/*.toml):
#   small: the headline tier (configs/scales/small.toml: its experiments and [select]s):
#          table1 7 (mini-batch K = 1, 4, 16; local K = 4, 16 x H = 4, 16) + table3 3 (K = 2
#          mini-batch, post-local H = 16, 32; its K = 16 mini-batch is table1's) + table12 4
#          + figure1 1 (K = 16 mini-batch at B = 512/4) + figure2 1 (K = 16 mini-batch at
#          B = 1024/4; H = 4, 16 and B = 128, 512 are table1's and figure1's) = 16 x 3 seeds =
#          48, less table12's 4 x 3 faked in section 4 = 36. Figures: figure1 a,b + figure2 b
#          + figure4 a,b + figure7 a,b,c = 8; figure4's 2 Hessian jobs, 1 interpolation and 2
#          series jobs; no benchmark.
#   small-full: every declaration at small's settings: distinct runs of the buildable
#          tables = table1 21 (5 mini-batch K + 4 K x 4 H local) + table2 3 (its K=16
#          B_loc=32 mini-batch is table1's) + table3 1 (post-local H=32;
#          the rest is table1's/table2's) + table11 2 (K=32 mini-batch, post-local) + table12 2
#          (K=32 mini-batch at 4/3 and 5/3 epochs) + table16 12 (its own LR) + table17 12
#          (hierarchical; the rest is table1's) + table8 5 (K=10: local H=16, and slowmo at
#          2 factors with and without local momentum) = 58 table runs; the drawable figures add
#          figure1 1 (K=16 mini-batch at B = 512/4) + figure2 6 (mini-batch at B = 256..2048 /4:
#          K=4 4, K=16 2; the rest is table1's/table2's) + figure3 6 (post-local K=16 H=2, 4, 8,
#          64 and H=16 at K=4, 8; K=32 is table11's) + figure7 0 (table1's) + figure12 1
#          (switch at 3/4) + figure19 12 (4 H^b x 3 delays) = 79, less figure2's K=16
#          mini-batch at B = 2048/4 (a step of 8,192 samples, above the 5,000 images: it waits)
#          = 83; then the sign, noise, warm-up and companion declarations: table4 4 (signSGD,
#          EF-signSGD, their post-local forms) + table14 12 (4 eta x 3 gamma; its mini-batch and
#          post-local H=16 runs are table1's and table3's) + table15 2 (majority vote, Algorithm 3
#          at H'=1; its post-local row is table4's) + table20 8 (local K=8, 16 at H=32, slowmo
#          at K=8, 16 x H=4, 16, 32; the rest is table1's) + table21 5 (mini-batch at LR x2, x4,
#          D-PSGD at x1, x2, x4) + figure10 4 (linear warm-up and post-local at 1/10, H=4, 16)
#          + figure11 2 (warm-up over 1/20 and 1/6) = 37; then table2's batch-schedule row 2
#          (B = 128/4 and 256/4, 4x the batch after the first decay) and table22 8 (local SGD
#          H = 1, 4, 16, 64 at LR x0.1 and x1 from table3's K=16 mini-batch run) = 10:
#          130 x 3 seeds = 390 (section 4's fakes are small's, not small-full's); and figure6's
#          convex runs, each at 3 LRs: (a) K=16 x 3 B_loc x 2 H = 6 cells, (b) B_loc=16 at
#          K=2, 4, 8, 16 x H=1, 4, 16 = 12 (K=16 H=1 and 16 are (a)'s) and K=1: 17 cells x 3
#          LRs x 3 seeds = 153, 543; figure9's local H=2 and mini-batch B = 256/4 at K=32 (its
#          K=16 runs are table1's and figure2's, its K=32 mini-batch B = 128/4 table11's) 2 x 3
#          = 6; figure19's straggler rows (H^b = 1, 16) 2 x 3 = 6: 555 in all (and 1
#          generated_data job, the LIBSVM stand-in).
#   smoke: table2 (2 batches x {mini-batch, post-local}) 4 + table3 2 new (K=2; H=32)
#          + figure1 2 new (K=16 B=4x8; local H=4) + figure7 3 new (local H=2, 8, 16)
#          + figure14 1 new (post-local H=4; figures 4 and 13 reuse table2/3's runs)
#          + table2's batch-schedule row at B = 8 (at 16, 4 x 16 x 16 = 1,024 samples a step
#          exceed the 512 images: it waits) 1 + table22 4 (H = 1, 4 selected, at 2 LRs; its
#          start is table2's K=16 B=8 mini-batch run) = 17 x 1, of which figure1's K=2 run is
#          an MPI job (mpi_workers = [2]): 16 train, 1 train_mpi; tables 9 and 10 reuse table3's runs;
#          figure6 at K=1, 16, B_loc=16, H=1, 16 ([select]) x 3 LRs: 3 cells x 3 = 9, 25 train.
#   paper: small-full's 58, plus table3's CIFAR-100 K=16 mini-batch, H=16, H=32 (3) and table11's
#          CIFAR-100 K=2 run, no longer shared with table1's CIFAR-10 one (1) = 62; the figures
#          add the 26 of small-full's figures (figure2's B = 2048 run included: it fits in
#          50,000 images) and figure3's K=32 mini-batch and post-local runs, table11's at
#          small-full but CIFAR-100 there at this scale (2) = 90, and small-full's 37 of the
#          sign, noise, warm-up and companion declarations and its 10 of table2's batch schedule
#          and table22 = 137 x 3 seeds = 411; figure6's 153, figure9's 6 and figure19's straggler
#          rows' 6 as small-full's = 576.
#   Figures 4, 13 and 14 add no run at small-full and paper: their K=16 mini-batch, K=2 mini-batch
#   and post-local H=4, 16, 32 runs are table1's and table3's.
# Figure jobs (one per [[panels]] drawing of a ready or partial figure), hard-coded from the
# declarations: small-full and paper: figure1 a,b + figure2 a,b + figure3 a,b + figure4 a,b
# + figure5 + figure7 a,b,c + figure10 a,b + figure11 a,b + figure12 + figure13 + figure14 a,b,c
# + figure19 a,b,c,d + figure6 a,b + figure9 a,b
# = 2+2+2+2+1+3+2+2+1+1+3+4+2+2 = 29;
# smoke: figure1, figure4, figure5, figure6, figure7, figure13 and figure14 are at that scale:
# 2+2+1+2+3+1+3 = 14.
# Analysis jobs of the saved models, the same at small-full, smoke and paper, one per
# (command, row) whatever the figures that draw it: hessian per row of figure14 (4; figure4's two rows are two of them),
# one interpolation (figure4's two rows), sharpness per row of figure13 (3); and one
# analysis_series job per analysis panel (4a, 4b, 13, 14a, 14b, 14c) and per panel of the
# convex runs' records (6a, 6b) = 8.
declare -A expected_jobs=([small]=36 [small-full]=555 [smoke]=25 [paper]=576)
declare -A expected_mpi_jobs=([small]=0 [small-full]=0 [smoke]=1 [paper]=0)
# Benchmark jobs: table6's ResNet-20 (its other models wait) and table7's, at every scale; and
# figure5's intra-node ping-pong, an MPI job (inter-node waits).
declare -A expected_bench_jobs=([small]=0 [small-full]=2 [smoke]=2 [paper]=2)
declare -A expected_bench_mpi_jobs=([small]=0 [small-full]=1 [smoke]=1 [paper]=1)
declare -A expected_figures=([small]=8 [small-full]=29 [smoke]=14 [paper]=29)
declare -A expected_analysis_jobs=([analysis_hessian]=4 [analysis_interpolate]=1
                                   [analysis_sharpness]=3 [analysis_series]=8)
declare -A expected_small_analysis_jobs=([analysis_hessian]=2 [analysis_interpolate]=1
                                         [analysis_sharpness]=0 [analysis_series]=2)
for scale in small small-full smoke paper; do
  out="$TMP/dry-$scale.txt"
  if (cd "$WF" && "$SNAKEMAKE" -n --cores 2 --config "scale=$scale") >"$out" 2>&1; then
    dry="$out"
    got="$(job_count train)"
    check "scale $scale: dry run lists ${expected_jobs[$scale]} train jobs, got ${got:-none}" \
      test "${got:-0}" -eq "${expected_jobs[$scale]}"
    got="$(job_count train_mpi)"
    check "scale $scale: dry run lists ${expected_mpi_jobs[$scale]} train_mpi jobs, got ${got:-none}" \
      test "${got:-0}" -eq "${expected_mpi_jobs[$scale]}"
    got="$(job_count figure)"
    check "scale $scale: dry run lists ${expected_figures[$scale]} figure jobs, got ${got:-none}" \
      test "${got:-0}" -eq "${expected_figures[$scale]}"
    for rule in analysis_hessian analysis_interpolate analysis_sharpness analysis_series; do
      got="$(job_count "$rule")"
      want="${expected_analysis_jobs[$rule]}"
      [[ "$scale" == small ]] && want="${expected_small_analysis_jobs[$rule]}"
      check "scale $scale: dry run lists $want $rule jobs, got ${got:-none}" \
        test "${got:-0}" -eq "$want"
    done
    got="$(job_count microbench)"
    check "scale $scale: dry run lists ${expected_bench_jobs[$scale]} microbench jobs, got ${got:-none}" \
      test "${got:-0}" -eq "${expected_bench_jobs[$scale]}"
    got="$(job_count microbench_mpi)"
    check "scale $scale: dry run lists ${expected_bench_mpi_jobs[$scale]} microbench_mpi jobs, got ${got:-none}" \
      test "${got:-0}" -eq "${expected_bench_mpi_jobs[$scale]}"
    check "scale $scale: dry run lists 1 index job, got $(job_count index)" \
      test "$(job_count index)" = 1
    check "scale $scale: every output path carries the scale" \
      bash -c "! grep -E '^ +output: ' '$out' | grep -vE '(results|tables|figures)/$scale/'"
  else
    not_ok "scale $scale: snakemake -n exits 0" "$out"
  fi
done
# One table is its own target; a shared run is listed once.
if (cd "$WF" && "$SNAKEMAKE" -n --cores 2 tables/small/table3.md) >"$TMP/dry-t3.txt" 2>&1; then
  dry="$TMP/dry-t3.txt"
  # 4 runs x 3 seeds, none of them table12's (faked in section 4).
  check "tables/small/table3.md alone: 4 runs x 3 seeds = 12 train jobs, got $(job_count train)" \
    test "$(job_count train)" -eq 12
else
  not_ok "snakemake -n tables/small/table3.md" "$TMP/dry-t3.txt"
fi
# "waiting for" names every declared experiment that cannot be built: each declaration is
# either a table or figure target of the small-full scale or listed with "waiting for:" (table13
# for lstm and wikitext2, figure8 for ImageNet).
listing="$TMP/dry-small-full.txt"
"$PYTHON" - "$WF/configs/experiments" "$listing" >"$TMP/waiting-check.txt" 2>&1 <<'EOF'
import re, sys, tomllib
from pathlib import Path
decls = {p.stem: tomllib.load(open(p, "rb")) for p in Path(sys.argv[1]).glob("*.toml")}
text = open(sys.argv[2]).read()
targets = set(re.findall(r"tables/small-full/(table\d+)\.md", text))
targets |= set(re.findall(r"figures/small-full/(figure\d+)[a-z]?\.png", text))
lines = {m.group(1): m.group(2) for m in re.finditer(r"^\s+((?:table|figure)\d+): (.*)$", text, re.M)}
bad = []
for i, d in decls.items():
    line = lines.get(i, "")
    if i in targets and line.startswith("waiting"):
        bad.append(f"{i}: a target but listed as waiting")
    if i not in targets and "waiting for:" not in line:
        bad.append(f"{i}: neither a target nor 'waiting for'")
    if "localsgd-analyze" in line:
        bad.append(f"{i}: still waiting for localsgd-analyze")
for i, words in (("table13", ("lstm", "wikitext2")), ("figure8", ("imagenet",))):
    if not all(w in lines.get(i, "") for w in words):
        bad.append(f"{i} not waiting for {', '.join(words)}")
for i in ("figure1", "figure2", "figure3", "figure4", "figure6", "figure7", "figure9",
          "figure12", "figure13", "figure14", "figure19"):
    if i not in targets:
        bad.append(f"{i}: not a figure target")
print(f"{len(decls)} declarations, {len(targets)} table targets")
print("\n".join(bad))
sys.exit(1 if bad or len(decls) != 36 else 0)
EOF
waiting_rc=$?
if [[ $waiting_rc -eq 0 ]]; then
  ok "every declared experiment (36: the paper's 33 and three companion tables) is a target or listed as 'waiting for: ...'"
else
  not_ok "every declared experiment (36: the paper's 33 and three companion tables) is a target or listed as 'waiting for: ...'" "$TMP/waiting-check.txt"
fi

# A registry table from fake runs (smoke scale): no train job, paper values and waiting cells.
"$PYTHON" - "$WF" <<'EOF'
import json, sys
from pathlib import Path
wf = Path(sys.argv[1])
sys.path.insert(0, str(wf / "workflow"))
import registry
reg = registry.build(wf / "configs", "smoke")
for i, v in enumerate(reg.variants.values()):
    for s in reg.scale.seeds:
        d = wf / "results" / "smoke" / "runs" / v.name / f"seed{s}"
        d.mkdir(parents=True, exist_ok=True)
        for name in ("metrics.jsonl", "timing.jsonl", "config.toml", "model.pt"):
            (d / name).write_text("")
        (d / "summary.json").write_text(json.dumps({"status": "completed",
            "best_test_accuracy": 0.5 + 0.01 * i, "final_test_accuracy": 0.5}))
EOF
smoke_log="$TMP/smoke-run.txt"
# The tables only: the figures of fake runs (empty metrics) are section 6's, with real runs.
if (cd "$WF" && "$SNAKEMAKE" --cores 1 --config scale=smoke -- tables/smoke/table2.md \
    tables/smoke/table3.md tables/smoke/status.md) >"$smoke_log" 2>&1; then
  ok "smoke scale: tables built from existing runs"
else
  not_ok "smoke scale: tables built from existing runs" "$smoke_log"
fi
check "smoke: no train job ran" bash -c "! grep -q 'rule train' '$smoke_log'"
t3="$WF/tables/smoke/table3.md"
check "table3.md shows the paper value with its tag" grep -qF "paper 92.48 ± 0.17 [I]" "$t3"
check "table3.md marks the DenseNet cells as waiting" grep -qF "waiting for: densenet40-12" "$t3"
check "table3.tex is a booktabs table" grep -q 'toprule' "$WF/tables/smoke/table3.tex"
check "table3.csv has a row per declared cell (24) plus a header" \
  test "$(wc -l <"$WF/tables/smoke/table3.csv" 2>/dev/null)" -eq 25
check "status.md lists table13" grep -q '^table13: ' "$WF/tables/smoke/status.md"

# ------------------------------------------------------------------ 6. smoke scale, end to end
# The whole default target of the smoke scale in a fresh copy, with the real trainer and
# analyzer: every table and figure, the index, and what they contain.
TRAINER_BIN="${LOCALSGD_TRAINER:-$ROOT/build/localsgd-train}"
ANALYZER_BIN="${LOCALSGD_ANALYZER:-$ROOT/build/localsgd-analyze}"
MICROBENCH_BIN="${LOCALSGD_MICROBENCH:-$(dirname "$TRAINER_BIN")/localsgd-microbench}"
E2E="$TMP/e2e"
mkdir -p "$E2E"
cp -r "$ROOT/Snakefile" "$ROOT/workflow" "$ROOT/configs" "$ROOT/profiles" "$E2E/"
rm -rf "$E2E/workflow/__pycache__"
if [[ ! -x "$TRAINER_BIN" || ! -x "$ANALYZER_BIN" || ! -x "$MICROBENCH_BIN" ]]; then
  not_ok "smoke e2e: $TRAINER_BIN, $ANALYZER_BIN and $MICROBENCH_BIN exist (bash scripts/setup.sh, or set LOCALSGD_TRAINER / LOCALSGD_ANALYZER / LOCALSGD_MICROBENCH)"
  finish
fi
e2e_log="$TMP/e2e.txt"
start=$SECONDS
# Speed is BENCHMARKS.md's business; the limit only turns a hang into a failure (about 50 s on
# an idle 2-core machine).
if (cd "$E2E" && timeout -k 10 900 "$SNAKEMAKE" --cores 2 --config scale=smoke "trainer=$TRAINER_BIN" \
    "analyzer=$ANALYZER_BIN" "microbench=$MICROBENCH_BIN") >"$e2e_log" 2>&1; then
  ok "smoke e2e: snakemake --cores 2 --config scale=smoke exits 0 ($((SECONDS - start)) s)"
else
  not_ok "smoke e2e: snakemake --cores 2 --config scale=smoke exits 0 within 900 s" "$e2e_log"
fi
# Expected files straight from the declarations (not through workflow/registry.py): the tables
# and figures the smoke scale names, a figure per [[panels]] suffix.
"$PYTHON" - "$E2E" >"$TMP/e2e-check.txt" 2>&1 <<'EOF'
import re, sys, tomllib
from pathlib import Path
wf = Path(sys.argv[1])
scale = tomllib.load(open(wf / "configs/scales/smoke.toml", "rb"))
bad, n_fig, n_tab = [], 0, 0
def header(path, cols):
    first = path.read_text().splitlines()[0] if path.is_file() else ""
    if first.split(",")[:len(cols)] != cols:
        bad.append(f"{path.name}: header {first!r}, expected {','.join(cols)}...")
for exp in scale["experiments"]:
    d = tomllib.load(open(wf / f"configs/experiments/{exp}.toml", "rb"))
    if d["kind"] == "table":
        n_tab += 1
        for ext in ("md", "csv", "tex"):
            if not (wf / f"tables/smoke/{exp}.{ext}").is_file():
                bad.append(f"missing tables/smoke/{exp}.{ext}")
        header(wf / f"tables/smoke/{exp}.csv",
               ["row"] if "benchmark" in d else ["row", "col", "variant"])
        continue
    for p in d["panels"]:
        n_fig += 1
        base = wf / f"figures/smoke/{exp}{p.get('suffix', '')}"
        for ext in ("png", "pdf", "svg", "csv", "gp"):
            if not base.with_suffix(f".{ext}").is_file():
                bad.append(f"missing {base.name}.{ext}")
        png, pdf, svg, csv = (base.with_suffix(f".{e}") for e in ("png", "pdf", "svg", "csv"))
        if png.is_file() and not png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n"):
            bad.append(f"{png.name}: not a PNG")
        if pdf.is_file() and not pdf.read_bytes().startswith(b"%PDF"):
            bad.append(f"{pdf.name}: not a PDF")
        if svg.is_file() and b"<svg" not in svg.read_bytes()[:4000]:
            bad.append(f"{svg.name}: not an SVG")
        header(csv, ["series", "x", "y_mean", "y_std", "seeds"] if p["plot"] != "bars"
               else ["label", "mean", "std", "seeds"])
        if csv.is_file() and len(csv.read_text().splitlines()) < 2:
            bad.append(f"{csv.name}: no data rows")
index = wf / "figures/smoke/README.md"
text = index.read_text() if index.is_file() else ""
links = re.findall(r"\]\(([^)]+)\)", text)
for link in links:
    if not (index.parent / link).is_file():
        bad.append(f"README.md links to {link}, which does not exist")
for exp in scale["experiments"] + ["table13", "figure8"]:
    if f"### {exp}\n" not in text:
        bad.append(f"README.md has no entry for {exp}")
if "`localsgd-analyze hessian --" not in text:
    bad.append("README.md does not give the analysis settings of figure4/figure14")
# The claims report: every claim of configs/claims.toml has a row (tested or not testable).
ids = {c["id"] for c in tomllib.load(open(wf / "configs/claims.toml", "rb"))["claim"]}
claims_csv = wf / "tables/smoke/claims.csv"
header(claims_csv, ["claim", "column", "text", "source", "experiment"])
if not (wf / "tables/smoke/claims.md").is_file():
    bad.append("missing tables/smoke/claims.md")
rows = claims_csv.read_text().splitlines()[1:] if claims_csv.is_file() else []
if {r.split(",")[0] for r in rows} != ids:
    bad.append(f"claims.csv: claims {sorted({r.split(',')[0] for r in rows})}, expected {sorted(ids)}")
tindex = wf / "tables/smoke/README.md"
if "../../figures/smoke/README.md" not in (tindex.read_text() if tindex.is_file() else ""):
    bad.append("tables/smoke/README.md does not link to the index")
leftovers = [p.name for p in (wf / "figures/smoke").iterdir() if "tmp" in p.name]
if leftovers:
    bad.append(f"temporary files left: {leftovers}")
print(f"{n_tab} tables, {n_fig} figures, {len(links)} links")
print("\n".join(bad))
sys.exit(1 if bad or n_fig == 0 or not links else 0)
EOF
if [[ $? -eq 0 ]]; then
  ok "smoke e2e: every table and figure, the claims report, csv headers, PNG/PDF signatures; the index links only to existing files ($(head -n1 "$TMP/e2e-check.txt"))"
else
  not_ok "smoke e2e: every table and figure, the claims report, csv headers, PNG/PDF signatures; the index links only to existing files" "$TMP/e2e-check.txt"
fi
# Figure 6's convex runs read the LIBSVM stand-in the workflow made, and its panels say which LR
# each cell was drawn at (the grid search), with every candidate's time to the target.
check "smoke e2e: figure6's runs read the generated LIBSVM file" \
  grep -q 'path = "results/smoke/data/fashion-mnist-libsvm/train"' \
  "$E2E/results/smoke/runs/libsvm-logreg-local-k1-b1-h1-e4-lr0.01/seed1/config.toml"
check "smoke e2e: figure6b's lines.json names the chosen LR and 3 candidates of the K = 1 cell" \
  "$PYTHON" -c "import json, sys; m = json.load(open(sys.argv[1])); c = m[0]['cells'][0]
assert c['cell'] == {'workers': 1} and c['chosen']['lr'] in (0.01, 0.02, 0.04), c
assert len(c['candidates']) == 3 and m[0]['target'] == 0.1, m[0]" \
  "$E2E/results/smoke/analysis/figure6/series/figure6b/lines.json"
# Table 22's runs start from the mini-batch run's saved model of the same seed (run key
# start_from): the trainer was told the file (tests/init_from_test.cpp checks what it does with it).
start_model="results/smoke/runs/minibatch-k16-b8/seed1/model.pt"
check "smoke e2e: table22's H=4 run was told the mini-batch run's model ($start_model)" \
  grep -q "init_from = \"$start_model\"" "$E2E/results/smoke/runs/local-k16-b8-h4-decayfactor1-warmupepochs0-bnrecomputebatches10-m0-lr0.01-from-minibatch-k16-b8/seed1/config.toml"
check "smoke e2e: a second run has nothing to do" \
  bash -c "cd '$E2E' && '$SNAKEMAKE' -n --cores 2 --config scale=smoke 'trainer=$TRAINER_BIN' 'analyzer=$ANALYZER_BIN' 'microbench=$MICROBENCH_BIN' 2>&1 | grep -q 'Nothing to be done'"

# snakemake --report over what that run built: one self-contained HTML file holding every table
# and figure file of the scale (expected names from the declarations again), each embedded and
# with its caption, which names the declaration's caption; docutils reported no markup error.
report_html="$TMP/report.html"
if (cd "$E2E" && "$SNAKEMAKE" --config scale=smoke "trainer=$TRAINER_BIN" "analyzer=$ANALYZER_BIN" \
    "microbench=$MICROBENCH_BIN" --report "$report_html") >"$TMP/report.txt" 2>&1; then
  ok "smoke e2e: snakemake --report report.html exits 0"
else
  not_ok "smoke e2e: snakemake --report report.html exits 0" "$TMP/report.txt"
fi
"$PYTHON" - "$E2E" "$report_html" >"$TMP/report-check.txt" 2>&1 <<'EOF'
import html, json, re, sys, tomllib
from pathlib import Path
wf, report = Path(sys.argv[1]), Path(sys.argv[2])
text = report.read_text() if report.is_file() else ""
def embedded(name):  # the report's <script id="NAME"> var x = {...}; </script>
    m = re.search(rf'<script id="{name}">\s*var \w+ = (.*?);\s*</script>', text, re.S)
    return json.loads(m.group(1)) if m else {}
results, categories = embedded("results"), embedded("categories")
def plain(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
scale = tomllib.load(open(wf / "configs/scales/smoke.toml", "rb"))
expected = {"tables/smoke/status.md": ("Status", "Where every table and figure"),
            "tables/smoke/claims.md": ("Claims", "The paper's claims tested"),
            "tables/smoke/claims.csv": ("Claims", "The paper's claims tested")}
for exp in scale["experiments"]:
    d = tomllib.load(open(wf / f"configs/experiments/{exp}.toml", "rb"))
    caption = " ".join(d["caption"].split())
    if d["kind"] == "table":
        for ext in ("md", "csv", "tex"):
            expected[f"tables/smoke/{exp}.{ext}"] = ("Tables", caption)
    else:
        for p in d["panels"]:
            for ext in ("png", "pdf", "svg", "csv", "gp"):
                expected[f"figures/smoke/{exp}{p.get('suffix', '')}.{ext}"] = ("Figures", caption)
bad = []
for path, (category, caption) in expected.items():
    r = results.get(path)
    if r is None:
        bad.append(f"{path}: not in the report")
        continue
    if not r["data_uri"].startswith("data:"):
        bad.append(f"{path}: not embedded")
    if caption not in plain(r["caption"]):
        bad.append(f"{path}: caption {plain(r['caption'])[:80]!r} lacks {caption[:40]!r}")
    if "System Message" in r["caption"]:
        bad.append(f"{path}: docutils error in its caption: {plain(r['caption'])[:200]}")
    if path not in [f for sub in categories.get(category, {}).values() for f in sub]:
        bad.append(f"{path}: not under {category}")
bad += [f"{path}: in the report but not expected" for path in sorted(set(results) - set(expected))]
print(f"{len(results)} files in {len(categories)} categories, {len(expected)} expected")
print("\n".join(bad))
sys.exit(1 if bad or not expected else 0)
EOF
if [[ $? -eq 0 ]]; then
  ok "smoke e2e: the report holds every table and figure file with its caption ($(head -n1 "$TMP/report-check.txt"))"
else
  not_ok "smoke e2e: the report holds every table and figure file with its caption" "$TMP/report-check.txt"
fi

finish
