#include "bars_command.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "analysis_error.h"
#include "csv_writer.h"
#include "gnuplot_script.h"
#include "json_files.h"
#include "render.h"
#include "series.h"
#include "staged_outputs.h"

namespace localsgd::analysis {

namespace {

// best_test_accuracy of one run; NaN when it diverged (null in summary.json).
double best_accuracy(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "summary.json").string();
  const nlohmann::json summary = read_json_file(path);
  const auto it = summary.is_object() ? summary.find("best_test_accuracy") : summary.end();
  if (it == summary.end()) throw AnalysisError(path + ": no field \"best_test_accuracy\"");
  if (it->is_null()) return std::nan("");
  if (!it->is_number()) throw AnalysisError(path + ": \"best_test_accuracy\" is not a number");
  return it->get<double>();
}

// One line's point per LINE@X label, in the order the labels first name each line.
std::vector<Series> lines_over_x(const std::vector<std::pair<std::string, SeriesPoint>>& bars) {
  std::vector<Series> lines;
  for (const auto& [label, point] : bars) {
    const auto at = label.rfind('@');
    char* end = nullptr;
    const double x = at == std::string::npos ? 0 : std::strtod(label.c_str() + at + 1, &end);
    if (at == std::string::npos || at == 0 || end == label.c_str() + at + 1 || *end != '\0' || !std::isfinite(x))
      throw AnalysisError("bars --lines: label '" + label + "' is not LINE@X with X a number");
    const std::string line = label.substr(0, at);
    auto it = std::find_if(lines.begin(), lines.end(), [&](const Series& s) { return s.label == line; });
    if (it == lines.end()) it = lines.insert(lines.end(), Series{line, {}});
    SeriesPoint p = point;
    p.x = x;
    it->points.push_back(p);
  }
  for (Series& s : lines)
    std::sort(s.points.begin(), s.points.end(), [](const SeriesPoint& a, const SeriesPoint& b) { return a.x < b.x; });
  return lines;
}

}  // namespace

void run_bars(const BarsOptions& options, std::ostream& warnings) {
  if (options.series.empty()) throw AnalysisError("no series given (LABEL=RUN_DIR[,RUN_DIR...])");
  std::vector<std::pair<std::string, SeriesPoint>> bars;  // label, mean and std over its seeds
  for (const SeriesSpec& spec : options.series) {
    check_label(spec.label);
    std::vector<double> values;
    for (const std::string& dir : spec.run_dirs) {
      const double best = best_accuracy(dir);
      if (std::isnan(best))
        warnings << "warning: bar '" << spec.label << "': " << dir << " has no best accuracy "
                 << "(diverged); left out\n";
      else
        values.push_back(best);
    }
    if (values.empty()) throw AnalysisError("bar '" + spec.label + "': every run diverged");
    SeriesPoint p;
    mean_and_std(values, p.y_mean, p.y_std);
    p.seeds = static_cast<int>(values.size());
    bars.emplace_back(spec.label, p);
  }
  const PlotText text{options.title, options.xlabel, options.ylabel};
  StagedOutputs out(options.out);
  if (!options.lines.empty()) {
    const std::vector<Series> lines = lines_over_x(bars);
    std::vector<std::string> labels;
    for (const Series& s : lines) labels.push_back(s.label);
    out.write(".csv", curves_csv(lines));
    out.write(".gp", curves_script(out.base(), labels, text, /*key_at_bottom=*/true,
                                   options.lines == "log" ? "x 2" : ""));
  } else {
    std::string csv = "label,mean,std,seeds\n";
    for (const auto& [label, p] : bars)
      csv += label + "," + format_number(p.y_mean) + "," + format_number(p.y_std) + "," + std::to_string(p.seeds) + "\n";
    out.write(".csv", csv);
    out.write(".gp", bars_script(out.base(), text));
  }
  const std::string gnuplot_warnings = run_gnuplot(options.gnuplot, out.staged(".gp"));
  if (!gnuplot_warnings.empty()) warnings << "gnuplot: " << gnuplot_warnings;
  out.commit({".csv", ".gp", ".png", ".pdf", ".svg"});
}

}  // namespace localsgd::analysis
