// Parses localsgd-analyze's arguments after the subcommand name: --option VALUE pairs and
// LABEL=RUN_DIR[,RUN_DIR...] series. Misuse throws UsageError (exit code 2 in main).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "bars_command.h"
#include "curves_command.h"
#include "evaluate_command.h"
#include "lines_command.h"

namespace localsgd::analysis {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// --option VALUE pairs (only `allowed` names) and the series; --out and one series are required.
struct ParsedArguments {
  std::map<std::string, std::string> options;
  std::vector<SeriesSpec> series;
  // The option's value as a count (>= minimum) or a number, or `fallback` if it was not given.
  std::int64_t count(const std::string& name, std::int64_t fallback, std::int64_t minimum = 0) const;
  double number(const std::string& name, double fallback) const;
  std::string text(const std::string& name, const std::string& fallback) const;
};
ParsedArguments parse_arguments(const std::vector<std::string>& args, const std::vector<std::string>& allowed);

CurvesOptions parse_curves_arguments(const std::vector<std::string>& args);
BarsOptions parse_bars_arguments(const std::vector<std::string>& args);
LinesOptions parse_lines_arguments(const std::vector<std::string>& args);
EvaluateOptions parse_evaluate_arguments(const std::vector<std::string>& args);

// "local=runs/a,runs/b" -> {"local", {"runs/a", "runs/b"}}.
SeriesSpec parse_series(const std::string& word);

}  // namespace localsgd::analysis
