// The `lines` subcommand: one line per series from a JSON-lines file of measurements (one
// record per point, e.g. localsgd-microbench latency's bytes and latency_seconds), optionally on
// log axes; written like `curves` (PREFIX.csv in the same columns, .gp, .png, .pdf, .svg). With
// --std and --seeds, points that are already means over seeds (workflow/analysis_series.py)
// keep their spread: the band and the CSV's y_std and seeds columns.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "curves_command.h"

namespace localsgd::analysis {

struct LinesOptions {
  std::string out;                    // PREFIX
  std::string x, y;                   // numeric fields of the records
  std::string std_field, seeds_field; // optional: fields of y's standard deviation and of the
                                      // number of seeds y is the mean of (0 and 1 without)
  std::string log;                    // "", "x", "y" or "xy": the axes drawn on a log scale
  std::string title, xlabel, ylabel;  // labels default to the field names
  std::string gnuplot = "gnuplot";
  std::vector<SeriesSpec> series;     // LABEL=FILE.jsonl (one file per series)
};

// Throws AnalysisError naming the file and line of a missing or non-numeric field.
void run_lines(const LinesOptions& options, std::ostream& warnings);

}  // namespace localsgd::analysis
