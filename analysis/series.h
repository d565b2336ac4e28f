// Averages the curves of one series (one label, one run per seed) record by record: x and y are
// the means over the seeds that have the record, y_std the sample standard deviation (0 for a
// single seed). Seeds must share their steps; a run that ended early may stop sooner.
#pragma once

#include <string>
#include <vector>

#include "run_reader.h"

namespace localsgd::analysis {

struct SeriesPoint {
  double x = 0, y_mean = 0, y_std = 0;
  int seeds = 0;
};

struct Series {
  std::string label;
  std::vector<SeriesPoint> points;
};

// Throws AnalysisError naming both metrics files when two runs disagree on their steps, or when
// a run that did not end early has fewer records than another.
Series average_series(const std::string& label, const std::vector<RunCurve>& runs);

// Mean and sample standard deviation (n - 1 in the denominator; 0 when n < 2).
void mean_and_std(const std::vector<double>& values, double& mean, double& std);

}  // namespace localsgd::analysis
