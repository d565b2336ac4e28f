#include "lines_command.h"

#include <cmath>

#include "analysis_error.h"
#include "csv_writer.h"
#include "gnuplot_script.h"
#include "json_files.h"
#include "render.h"
#include "staged_outputs.h"

namespace localsgd::analysis {

void run_lines(const LinesOptions& options, std::ostream& warnings) {
  if (options.x.empty() || options.y.empty()) throw AnalysisError("lines needs --x FIELD and --y FIELD");
  require_one_of("--log", options.log, {"", "x", "y", "xy"});
  std::vector<Series> all;
  std::vector<std::string> labels;
  for (const SeriesSpec& spec : options.series) {
    check_label(spec.label);
    if (spec.run_dirs.size() != 1)
      throw AnalysisError("series '" + spec.label + "': lines takes one file per series (LABEL=FILE.jsonl)");
    const std::string& path = spec.run_dirs[0];
    Series series{spec.label, {}};
    for (const JsonLine& record : read_json_lines(path)) {
      const double x = number_field(record, options.x, path), y = number_field(record, options.y, path);
      if (!std::isfinite(x) || !std::isfinite(y))
        throw AnalysisError(path + ":" + std::to_string(record.line) + ": " + options.x + " or " + options.y +
                            " is not a finite number");
      const double spread = options.std_field.empty() ? 0.0 : number_field(record, options.std_field, path);
      const double seeds = options.seeds_field.empty() ? 1.0 : number_field(record, options.seeds_field, path);
      if (!(spread >= 0) || !std::isfinite(spread) || !(seeds >= 1) || seeds != std::floor(seeds))
        throw AnalysisError(path + ":" + std::to_string(record.line) + ": " + options.std_field + " must be a finite " +
                            "number >= 0 and " + options.seeds_field + " a whole number >= 1");
      series.points.push_back({x, y, spread, static_cast<int>(seeds)});
    }
    if (series.points.empty()) throw AnalysisError(path + ": no records");
    all.push_back(series);
    labels.push_back(spec.label);
  }
  const PlotText text{options.title, options.xlabel.empty() ? options.x : options.xlabel,
                      options.ylabel.empty() ? options.y : options.ylabel};
  StagedOutputs out(options.out);
  out.write(".csv", curves_csv(all));
  out.write(".gp", curves_script(out.base(), labels, text, /*key_at_bottom=*/false, options.log));
  const std::string gnuplot_warnings = run_gnuplot(options.gnuplot, out.staged(".gp"));
  if (!gnuplot_warnings.empty()) warnings << "gnuplot: " << gnuplot_warnings;
  out.commit({".csv", ".gp", ".png", ".pdf", ".svg"});
}

}  // namespace localsgd::analysis
