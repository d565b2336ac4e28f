#!/usr/bin/env bash
# The slurm/ profile on a cluster where the Slurm plugin could never see a job finish: no
# accounting (sacct fails) and MinJobAge = 10 s, below 3 x slurm-init-seconds-before-status-checks
# (the plugin then switches from the profile's squeue to sacct) and below its 180 s between status
# checks. Before, Snakemake submitted the job and waited forever (SIGTERM did not end it).
# On a private single-node cluster (tests/slurm/cluster.sh, found through SLURM_CONF only):
#   (a) with MinJobAge = 10 s, a run of one training job through the profile fails within
#       REFUSE_BOUND seconds, its message names MinJobAge and says what to set, and nothing was
#       submitted (workflow/slurm_status_check.py, the Snakefile's onstart);
#   (b) after `scontrol reconfigure` with MinJobAge = 200 s (what (a) asks for), the same run
#       completes through Slurm; it is given a partition and an account the way the profile and
#       the README say, by a second profile of the site's own (default-resources), and the job
#       ran in that partition (not the default one) under that account.
# Usage: tests/slurm_status_test.sh path/to/localsgd-train   (as root; needs scripts/setup.sh's
#        Slurm and .venv's Snakemake 9 + the Slurm plugin; $SNAKEMAKE: default .venv/bin/snakemake)
set -uo pipefail
TRAINER="${1:?usage: slurm_status_test.sh path/to/localsgd-train}"
TRAINER="$(cd "$(dirname "$TRAINER")" && pwd -P)/$(basename "$TRAINER")"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(dirname "$HERE")"
SNAKEMAKE="${SNAKEMAKE:-$ROOT/.venv/bin/snakemake}"
CLUSTER="$HERE/slurm/cluster.sh"
REFUSE_BOUND=60   # seconds for the refused run (about 2 s here: parse, DAG, onstart)
RUN_BOUND=180     # seconds for the accepted run (one smoke training job: 83 s with the profile's
                  # first status check after 40 s, ~20 s after 2 s)
VARIANT=local-k16-b8-h2   # a smoke-scale run (python3 workflow/registry.py runs --scale smoke)

TEST_NAME="slurm status tests"
# shellcheck source=slurm/test_lib.sh
source "$HERE/slurm/test_lib.sh"

[[ -x "$TRAINER" ]] || { not_ok "$TRAINER is not an executable"; finish; }
[[ -x "$SNAKEMAKE" ]] || { not_ok "$SNAKEMAKE not found: create .venv (scripts/setup.sh)"; finish; }
require_slurm_tools

make_test_dir localsgd-slurmstatus slurm_status_test.sh
cleanup() {
  bash "$CLUSTER" stop "$TMP/cluster" || echo "slurm_status_test.sh: stopping the cluster failed" >&2
  if [[ $failed -eq 0 ]]; then rm -rf "$TMP"; else echo "slurm_status_test.sh: kept $TMP" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$TMP/wd/build"
ln -s "$TRAINER" "$TMP/wd/build/localsgd-train"
# A second partition, not the default: (b) asks for it.
if ! CLUSTER_MIN_JOB_AGE=10 CLUSTER_EXTRA_CONF="PartitionName=site Nodes=ALL Default=NO State=UP" \
     bash "$CLUSTER" start "$TMP/cluster"; then
  not_ok "private Slurm cluster did not start (log above)"; finish
fi
eval "$(bash "$CLUSTER" env "$TMP/cluster")"
conf=$(scontrol show config)
if grep -qE '^MinJobAge += 10 sec' <<<"$conf" &&
   grep -qE '^AccountingStorageType += accounting_storage/none' <<<"$conf"; then
  ok "cluster up: MinJobAge = 10 s, no accounting"
else
  not_ok "cluster config: $(grep -E '^(MinJobAge|AccountingStorageType)' <<<"$conf")"
fi

target="results/smoke/runs/$VARIANT/seed1/summary.json"
run_profile() {  # log file, bound, options...: the project's profile, one training job
  local log="$1" bound="$2"; shift 2
  (cd "$TMP" && USER="${USER:-$(id -un)}" timeout -k 5 "$bound" "$SNAKEMAKE" -s "$ROOT/Snakefile" \
     --directory "$TMP/wd" --profile "$ROOT/slurm" --config scale=smoke --latency-wait 5 "$@" \
     -- "$target") >"$log" 2>&1
}

# (a) Refused before anything is submitted, with what to set (the profile as is).
t0=$(date +%s)
run_profile "$TMP/refused.log" "$REFUSE_BOUND"
rc=$?
took=$(($(date +%s) - t0))
if [[ $rc -eq 124 || $rc -eq 137 ]]; then
  not_ok "MinJobAge = 10 s: the run still hung (killed after ${REFUSE_BOUND}s)"
elif [[ $rc -eq 0 ]]; then
  not_ok "MinJobAge = 10 s: the run was not refused"
else
  ok "MinJobAge = 10 s: the run failed in ${took}s (rc $rc)"
fi
if grep -q 'MinJobAge=10 sec' "$TMP/refused.log" && grep -q 'set MinJobAge=200 or more' "$TMP/refused.log" &&
   grep -q 'has no job accounting' "$TMP/refused.log"; then
  ok "the message names MinJobAge=10 sec, the missing accounting and says: set MinJobAge=200 or more"
else
  not_ok "the message does not say what to set: $(grep -iE 'error|minjobage' "$TMP/refused.log" | tail -n 5)"
fi
# (squeue forgets finished jobs after 10 s here: slurmctld's log and the plugin's logs tell.)
submitted=$(grep -c '_slurm_rpc_submit_batch_job' "$TMP/cluster/log/slurmctld.log")
plugin_logs=$(find "$TMP/wd/results/slurm-logs" -name '*.log' 2>/dev/null | wc -l)
if [[ $submitted -eq 0 && $plugin_logs -eq 0 ]]; then
  ok "nothing was submitted (slurmctld's log, the plugin's job logs)"
else
  not_ok "jobs were submitted before the refusal: $submitted in slurmctld's log, $plugin_logs plugin logs"
fi

# (b) The setting the message asks for: the same run completes (a first status check after 2 s
# instead of the profile's 40 keeps it short; 3 x 2 s is far below MinJobAge either way).
sed -i 's/^MinJobAge=.*/MinJobAge=200/' "$SLURM_CONF"
if ! scontrol reconfigure >"$TMP/reconfigure.log" 2>&1; then
  not_ok "scontrol reconfigure failed: $(cat "$TMP/reconfigure.log")"; finish
fi
for _ in $(seq 1 50); do
  scontrol show config | grep -qE '^MinJobAge += 200 sec' && break
  sleep 0.2
done
rm -rf "$TMP/wd/results" "$TMP/wd/.snakemake"
mkdir -p "$TMP/site"
cat >"$TMP/site/profile.v9+.yaml" <<'EOF'
default-resources: {slurm_partition: "'site'", slurm_account: "'proj123'", runtime: 60, mem_mb: 2000}
EOF
t0=$(date +%s)
run_profile "$TMP/accepted.log" "$RUN_BOUND" --profile "$TMP/site" \
  --slurm-init-seconds-before-status-checks 2
rc=$?
job=$(squeue --states=all -h -o '%i|%T|%k' | grep '|COMPLETED|rule_train_' | cut -d'|' -f1)
if [[ $rc -eq 0 && -f "$TMP/wd/$target" && -n "$job" ]]; then
  ok "MinJobAge = 200 s: the run completed through Slurm in $(($(date +%s) - t0))s (job $job)"
else
  not_ok "MinJobAge = 200 s: the run failed (rc $rc): $(grep -iE 'error|fail' "$TMP/accepted.log" | tail -n 5)"
fi
rec=$(scontrol show job "${job:-none}" 2>&1)
if grep -q ' Partition=site ' <<<"$rec" && grep -q ' Account=proj123 ' <<<"$rec"; then
  ok "the site profile's partition and account reached Slurm (Partition=site Account=proj123)"
else
  not_ok "job ${job:-?}: $(grep -oE 'Partition=[^ ]*|Account=[^ ]*' <<<"$rec" | tr '\n' ' ')"
fi

finish
