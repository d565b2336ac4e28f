// Defines AnalysisError, the one exception localsgd-analyze throws for bad input or a failed
// render. Its message is complete (it names the file, line or run involved) and is printed as is.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace localsgd::analysis {

struct AnalysisError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws Error ("OPTION VALUE: expected one of A, B") unless `value` is one of `allowed`: an
// AnalysisError from the commands, a UsageError (exit code 2) from the command line.
template <typename Error = AnalysisError>
void require_one_of(const std::string& option, const std::string& value, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw Error(option + " " + value + ": expected one of " + list);
}

}  // namespace localsgd::analysis
