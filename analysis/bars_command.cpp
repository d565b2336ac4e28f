#include "bars_command.h"

#include <cmath>
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

}  // namespace

void run_bars(const BarsOptions& options, std::ostream& warnings) {
  if (options.series.empty()) throw AnalysisError("no series given (LABEL=RUN_DIR[,RUN_DIR...])");
  std::string csv = "label,mean,std,seeds\n";
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
    double mean = 0, std = 0;
    mean_and_std(values, mean, std);
    csv += spec.label + "," + format_number(mean) + "," + format_number(std) + "," +
           std::to_string(values.size()) + "\n";
  }
  StagedOutputs out(options.out);
  out.write(".csv", csv);
  out.write(".gp", bars_script(out.base(), {options.title, options.xlabel, options.ylabel}));
  const std::string gnuplot_warnings = run_gnuplot(options.gnuplot, out.staged(".gp"));
  if (!gnuplot_warnings.empty()) warnings << "gnuplot: " << gnuplot_warnings;
  out.commit({".csv", ".gp", ".png", ".pdf", ".svg"});
}

}  // namespace localsgd::analysis
