// Defines AnalysisError, the one exception localsgd-analyze throws for bad input or a failed
// render. Its message is complete (it names the file, line or run involved) and is printed as is.
#pragma once

#include <stdexcept>
#include <string>

namespace localsgd::analysis {

struct AnalysisError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace localsgd::analysis
