#include "series.h"

#include <algorithm>
#include <cmath>

#include "analysis_error.h"

namespace localsgd::analysis {

namespace {

std::string describe(const RunCurve& run) {
  return run.metrics_path + " (" + std::to_string(run.steps.size()) + " records)";
}

// Every run agrees with the longest one on the steps they share, and only runs that ended early
// are shorter than it.
void check_steps(const std::string& label, const std::vector<RunCurve>& runs) {
  const RunCurve& longest = *std::max_element(
      runs.begin(), runs.end(),
      [](const RunCurve& a, const RunCurve& b) { return a.steps.size() < b.steps.size(); });
  for (const RunCurve& run : runs) {
    for (size_t i = 0; i < run.steps.size(); ++i)
      if (run.steps[i] != longest.steps[i])
        throw AnalysisError("series '" + label + "': seeds have different steps: record " +
                            std::to_string(i + 1) + " is step " + std::to_string(static_cast<long long>(run.steps[i])) +
                            " in " + run.metrics_path + " but step " +
                            std::to_string(static_cast<long long>(longest.steps[i])) + " in " + longest.metrics_path);
    if (run.steps.size() < longest.steps.size() && !run.ended_early)
      throw AnalysisError("series '" + label + "': seeds have different steps: " + describe(run) +
                          " ends before " + describe(longest) + " but did not diverge");
  }
}

}  // namespace

void mean_and_std(const std::vector<double>& values, double& mean, double& std) {
  mean = 0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  std = values.size() < 2 ? 0.0 : std::sqrt(squares / static_cast<double>(values.size() - 1));
}

Series average_series(const std::string& label, const std::vector<RunCurve>& runs) {
  if (runs.empty()) throw AnalysisError("series '" + label + "': no run directories");
  check_steps(label, runs);
  Series series{label, {}};
  for (size_t i = 0;; ++i) {
    std::vector<double> xs, ys;
    for (const RunCurve& run : runs)
      if (i < run.steps.size()) {
        xs.push_back(run.x[i]);
        ys.push_back(run.y[i]);
      }
    if (xs.empty()) break;
    SeriesPoint point;
    double unused_std = 0;
    mean_and_std(xs, point.x, unused_std);
    mean_and_std(ys, point.y_mean, point.y_std);
    point.seeds = static_cast<int>(ys.size());
    series.points.push_back(point);
  }
  return series;
}

}  // namespace localsgd::analysis
