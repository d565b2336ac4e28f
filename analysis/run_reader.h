// Reads one run directory into a curve: for each metrics.jsonl record its step, the chosen x
// (epoch, samples, sync_rounds from metrics; wall_seconds, modelled_seconds and time_seconds from
// timing.jsonl joined on step) and
// the chosen y. The curve ends before the first record whose y is null (a non-finite value).
#pragma once

#include <string>
#include <vector>

namespace localsgd::analysis {

struct RunCurve {
  std::string dir;
  std::string metrics_path;
  std::string status;          // summary.json "status": "completed" or "diverged"
  std::string time_basis;      // summary.json "time_basis": "measured" or "modelled" ("" if absent)
  bool ended_early = false;    // diverged, or a null y cut the curve short
  std::vector<double> steps, x, y;
};

// The x and y names localsgd-analyze accepts; used by the command line and read_run_curve.
const std::vector<std::string>& x_fields();
const std::vector<std::string>& y_fields();

RunCurve read_run_curve(const std::string& dir, const std::string& x_field,
                        const std::string& y_field);

// summary.json of a run directory, field "status" checked to be a string.
std::string read_run_status(const std::string& dir);

// Axis label of time_seconds over some runs: says whether their times are measured or modelled.
std::string describe_time_axis(const std::vector<RunCurve>& runs);

}  // namespace localsgd::analysis
