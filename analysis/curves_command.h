// The `curves` subcommand: one mean curve (+-1 std band over seeds) per series, written as
// PREFIX.csv, PREFIX.gp and the rendered PREFIX.png, PREFIX.pdf, PREFIX.svg, all or nothing.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace localsgd::analysis {

struct SeriesSpec {
  std::string label;
  std::vector<std::string> run_dirs;  // one per seed
};

struct CurvesOptions {
  std::string out;                   // PREFIX
  std::string x = "epoch";           // one of x_fields()
  std::string y = "test_accuracy";   // one of y_fields()
  std::string title, xlabel, ylabel; // labels default to descriptions of x and y
  std::string gnuplot = "gnuplot";
  std::vector<SeriesSpec> series;
};

// Throws AnalysisError; diverged or cut-short runs are named on `warnings`.
void run_curves(const CurvesOptions& options, std::ostream& warnings);

// Axis label for a metrics field, e.g. "wall_seconds" -> "wall-clock time (s)".
std::string describe_field(const std::string& field);

}  // namespace localsgd::analysis
