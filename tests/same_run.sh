# Sourced by the launcher tests (distributed_test.sh, srun_test.sh); needs their ok / not_ok.
# same_run NAME SIM_DIR DIST_DIR WHAT: the distributed run DIST_DIR says backend mpi with
# measured times, and its metrics.jsonl (2 records) and model.pt are byte-identical to the
# simulated run SIM_DIR's. WHAT describes the comparison in the ok line.
same_run() {
  local name="$1" sim="$2" dist="$3" what="$4" lines
  grep -q '"backend": "mpi"' "$dist/summary.json" || { not_ok "$name: summary does not say mpi"; return; }
  grep -q '"time_basis": "measured"' "$dist/summary.json" || { not_ok "$name: times not measured"; return; }
  lines=$(wc -l <"$sim/metrics.jsonl")
  [[ "$lines" -eq 2 ]] || { not_ok "$name: expected 2 metrics records, got $lines"; return; }
  if cmp -s "$sim/metrics.jsonl" "$dist/metrics.jsonl" && cmp -s "$sim/model.pt" "$dist/model.pt"; then
    ok "$name: $what (metrics.jsonl and model.pt byte-identical)"
  else
    not_ok "$name: the distributed and the simulated run differ"
    diff "$sim/metrics.jsonl" "$dist/metrics.jsonl" | head -4
  fi
}
