// Runs gnuplot on a staged script. gnuplot's stderr is captured: on a non-zero exit it becomes
// part of the error; otherwise it is returned (gnuplot warnings) for the caller to show.
#pragma once

#include <string>

namespace localsgd::analysis {

// `program` is the gnuplot executable (a name looked up in PATH, or a path).
std::string run_gnuplot(const std::string& program, const std::string& script_path);

// A single-quoted shell word.
std::string shell_quote(const std::string& word);

}  // namespace localsgd::analysis
