// Parses localsgd-analyze's arguments after the subcommand name: --option VALUE pairs and
// LABEL=RUN_DIR[,RUN_DIR...] series. Misuse throws UsageError (exit code 2 in main).
#pragma once

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

extern const char* const kUsage;

CurvesOptions parse_curves_arguments(const std::vector<std::string>& args);
BarsOptions parse_bars_arguments(const std::vector<std::string>& args);
LinesOptions parse_lines_arguments(const std::vector<std::string>& args);
EvaluateOptions parse_evaluate_arguments(const std::vector<std::string>& args);

// "local=runs/a,runs/b" -> {"local", {"runs/a", "runs/b"}}.
SeriesSpec parse_series(const std::string& word);

}  // namespace localsgd::analysis
