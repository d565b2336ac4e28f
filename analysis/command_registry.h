// Defines the subcommands of localsgd-analyze: each is a name, its usage lines and a function of
// its arguments. An analysis is one file with its options, parser and run, and one line in
// command_registry.cpp.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace localsgd::analysis {

struct Command {
  std::string name;
  std::string usage;  // the lines that describe it in --help
  void (*run)(const std::vector<std::string>& args, std::ostream& log);
};

const std::vector<Command>& commands();
// Every command's usage, for --help and after a usage error.
std::string usage();

}  // namespace localsgd::analysis
