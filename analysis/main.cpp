// localsgd-analyze: figures and analyses from run directories. It links the models library
// (models, tasks, data, the saved-model format), never the training loop or MPI.
//   localsgd-analyze COMMAND --out PREFIX [--option VALUE]... ARGUMENTS   (--help lists them)
// Exit codes: 0 written, 1 bad input or failed render (no outputs left), 2 bad usage.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "analysis_error.h"
#include "command_line.h"
#include "command_registry.h"

using namespace localsgd::analysis;

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + std::min(argc, 2), argv + argc);
  const std::string name = argc > 1 ? argv[1] : "";
  try {
    if (name == "-h" || name == "--help") {
      std::cout << usage();
      return 0;
    }
    const auto& all = commands();
    const auto command = std::find_if(all.begin(), all.end(), [&](const Command& c) { return c.name == name; });
    if (command == all.end()) throw UsageError(name.empty() ? "no subcommand" : "unknown subcommand " + name);
    command->run(args, std::cerr);
  } catch (const UsageError& e) {
    std::cerr << "localsgd-analyze: " << e.what() << "\n" << usage();
    return 2;
  } catch (const AnalysisError& e) {
    std::cerr << "localsgd-analyze: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
