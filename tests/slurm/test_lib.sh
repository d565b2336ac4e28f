# The Slurm tests' shared start (source it after setting TEST_NAME, e.g. "slurm status tests"):
# pass/fail counters, finish, the Slurm programs scripts/setup.sh installs, and a private work
# directory whose earlier copies' clusters (tests killed before their cleanup) are stopped first.

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"   # ok, not_ok, check and the tally
finish() { echo "$TEST_NAME: $passed passed, $failed failed"; [[ $failed -eq 0 ]]; exit $?; }

require_slurm_tools() {
  for b in slurmctld slurmd sbatch squeue scontrol munged; do
    command -v "$b" >/dev/null || { not_ok "$b not found: run scripts/setup.sh (it installs slurmctld slurmd slurm-client munge)"; finish; }
  done
}

# make_test_dir PREFIX OWNER: sets TMP to a new ${TMPDIR:-/tmp}/PREFIX.XXXXXX, marked as OWNER's
# (tests/slurm/cluster.sh reap stops the clusters of dirs whose owner is gone).
make_test_dir() {
  bash "$CLUSTER" reap "${TMPDIR:-/tmp}/$1."
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
  echo "$$ $2" >"$TMP/owner"
}
