#!/usr/bin/env bash
# All tests: installs and builds (scripts/setup.sh), runs the workflow tests, then the C++
# tests with ctest. ctest runs last so its summary line is the last thing printed.
# Exits non-zero if anything failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

echo "[test] setup: bash scripts/setup.sh"
if ! bash scripts/setup.sh; then
  echo "[test] ERROR: scripts/setup.sh failed; see its output above" >&2
  exit 1
fi

echo "[test] workflow tests: bash tests/workflow_test.sh"
workflow_rc=0
bash tests/workflow_test.sh || workflow_rc=$?
if [[ "$workflow_rc" -ne 0 ]]; then
  echo "[test] ERROR: workflow tests failed (exit code $workflow_rc); running ctest anyway" >&2
fi

echo "[test] C++ tests: ctest --test-dir build --output-on-failure -j1"
ctest_rc=0
ctest --test-dir build --output-on-failure -j1 || ctest_rc=$?

if [[ "$workflow_rc" -ne 0 || "$ctest_rc" -ne 0 ]]; then
  # stderr, so the ctest summary stays the last line on stdout.
  echo "[test] FAILED: workflow tests exit $workflow_rc, ctest exit $ctest_rc" >&2
  exit 1
fi
