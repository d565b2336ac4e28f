#include "curves_command.h"

#include <algorithm>
#include <map>

#include "analysis_error.h"
#include "csv_writer.h"
#include "gnuplot_script.h"
#include "render.h"
#include "run_reader.h"
#include "series.h"
#include "staged_outputs.h"

namespace localsgd::analysis {

namespace {

void warn_if_short(const std::string& label, const RunCurve& run, std::ostream& warnings) {
  if (run.status == "diverged")
    warnings << "warning: series '" << label << "': " << run.dir << " diverged; drawn up to its "
             << run.steps.size() << " records\n";
  else if (run.ended_early)
    warnings << "warning: series '" << label << "': " << run.metrics_path
             << " has a null value after " << run.steps.size() << " records; drawn up to there\n";
}

}  // namespace

std::string describe_field(const std::string& field) {
  static const std::map<std::string, std::string> names = {
      {"epoch", "epoch"},
      {"step", "update steps"},
      {"wall_seconds", "wall-clock time (s)"},
      {"modelled_seconds", "modelled time (s)"},
      {"sync_rounds", "synchronisation rounds"},
      {"samples", "training samples"},
      {"test_accuracy", "test accuracy"},
      {"train_accuracy", "training accuracy"},
      {"test_loss", "test loss"},
      {"train_loss", "training loss"}};
  const auto it = names.find(field);
  return it == names.end() ? field : it->second;
}

void run_curves(const CurvesOptions& options, std::ostream& warnings) {
  require_one_of("--x", options.x, x_fields());
  require_one_of("--y", options.y, y_fields());
  if (options.series.empty()) throw AnalysisError("no series given (LABEL=RUN_DIR[,RUN_DIR...])");
  std::vector<Series> all;
  std::vector<std::string> labels;
  std::vector<RunCurve> every_run;
  for (const SeriesSpec& spec : options.series) {
    check_label(spec.label);
    if (std::find(labels.begin(), labels.end(), spec.label) != labels.end())
      throw AnalysisError("series label '" + spec.label + "' given twice");
    std::vector<RunCurve> runs;
    for (const std::string& dir : spec.run_dirs) {
      runs.push_back(read_run_curve(dir, options.x, options.y));
      warn_if_short(spec.label, runs.back(), warnings);
    }
    all.push_back(average_series(spec.label, runs));
    labels.push_back(spec.label);
    every_run.insert(every_run.end(), runs.begin(), runs.end());
  }
  if (std::all_of(every_run.begin(), every_run.end(), [](const RunCurve& run) { return run.steps.empty(); }))
    throw AnalysisError("no run has a record to plot: every run diverged before its first evaluation");
  const std::string x_label = options.x == "time_seconds" ? describe_time_axis(every_run) : describe_field(options.x);
  const PlotText text{options.title,
                      options.xlabel.empty() ? x_label : options.xlabel,
                      options.ylabel.empty() ? describe_field(options.y) : options.ylabel};
  const bool key_at_bottom = options.y.find("accuracy") != std::string::npos;

  StagedOutputs out(options.out);
  out.write(".csv", curves_csv(all));
  out.write(".gp", curves_script(out.base(), labels, text, key_at_bottom));
  const std::string gnuplot_warnings = run_gnuplot(options.gnuplot, out.staged(".gp"));
  if (!gnuplot_warnings.empty()) warnings << "gnuplot: " << gnuplot_warnings;
  out.commit({".csv", ".gp", ".png", ".pdf", ".svg"});
}

}  // namespace localsgd::analysis
