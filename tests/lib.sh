# What the shell tests share: ok, not_ok and check, and their tally (passed, failed). Sourced
# by the tests (and by tests/slurm/test_lib.sh); each prints its own summary from the tally.

passed=0
failed=0
# ok NAME: one passed check.
ok() { echo "ok   - $*"; passed=$((passed + 1)); }
# not_ok NAME [LOG]: one failed check, with the last 40 lines of LOG when it is a file (else
# every argument is the message).
not_ok() {
  failed=$((failed + 1))
  if [[ $# -eq 2 && -f "$2" ]]; then
    echo "FAIL - $1"; sed 's/^/       | /' "$2" | tail -n 40
  else
    echo "FAIL - $*"
  fi
}
# check NAME COMMAND...: runs COMMAND, passes when it exits 0.
check() { local name="$1"; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
