// localsgd-analyze: figures and analyses from run directories. It links the models library
// (models, tasks, data, the saved-model format), never the training loop or MPI.
//   localsgd-analyze curves --out PREFIX --x X --y Y LABEL=RUN_DIR[,RUN_DIR...]...
//   localsgd-analyze bars --out PREFIX LABEL=RUN_DIR[,RUN_DIR...]...
//   localsgd-analyze lines --out PREFIX --x FIELD --y FIELD [--log xy] LABEL=FILE.jsonl...
//   localsgd-analyze evaluate --out PREFIX [--split test|train] [--samples N] LABEL=RUN_DIR...
// Exit codes: 0 written, 1 bad input or failed render (no outputs left), 2 bad usage.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "analysis_error.h"
#include "command_line.h"

using namespace localsgd::analysis;

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + std::min(argc, 2), argv + argc);
  const std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command == "curves") {
      run_curves(parse_curves_arguments(args), std::cerr);
    } else if (command == "bars") {
      run_bars(parse_bars_arguments(args), std::cerr);
    } else if (command == "lines") {
      run_lines(parse_lines_arguments(args), std::cerr);
    } else if (command == "evaluate") {
      run_evaluate(parse_evaluate_arguments(args), std::cerr);
    } else if (command == "-h" || command == "--help") {
      std::cout << kUsage;
    } else {
      throw UsageError(command.empty() ? "no subcommand" : "unknown subcommand " + command);
    }
  } catch (const UsageError& e) {
    std::cerr << "localsgd-analyze: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const AnalysisError& e) {
    std::cerr << "localsgd-analyze: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
