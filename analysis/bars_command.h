// The `bars` subcommand: one bar per label, the mean over its runs (seeds) of summary.json's
// best_test_accuracy with a +-1 sample std error bar; PREFIX.csv ("label,mean,std,seeds"),
// PREFIX.gp and the rendered PREFIX.png, .pdf, .svg, all or nothing. With --lines linear|log the labels
// are LINE@X (X a number): one line per LINE over X, a +-1 std band, one colour each (the
// paper's accuracy-over-H figures); PREFIX.csv is then "series,x,y_mean,y_std,seeds".
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "curves_command.h"

namespace localsgd::analysis {

struct BarsOptions {
  std::string out;
  std::string title, xlabel, ylabel = "best test accuracy";
  std::string gnuplot = "gnuplot";
  std::string lines;  // "linear" or "log" (its x axis): labels LINE@X, lines over X; "" = bars
  std::vector<SeriesSpec> series;
};

// Throws AnalysisError; diverged runs (best_test_accuracy null) are left out of the mean and
// named on `warnings`; a label whose runs all diverged is an error.
void run_bars(const BarsOptions& options, std::ostream& warnings);

}  // namespace localsgd::analysis
