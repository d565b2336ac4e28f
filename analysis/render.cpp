#include "render.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "analysis_error.h"

namespace localsgd::analysis {

std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string run_gnuplot(const std::string& program, const std::string& script_path) {
  const std::string log_path = script_path + ".log";
  const std::string command =
      shell_quote(program) + " " + shell_quote(script_path) + " 2> " + shell_quote(log_path);
  const int status = std::system(command.c_str());
  std::ifstream in(log_path);
  std::stringstream log;
  log << in.rdbuf();
  const bool ok = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!ok) {
    const std::string reason = status != -1 && WIFEXITED(status)
                                   ? "exit status " + std::to_string(WEXITSTATUS(status)) +
                                         (WEXITSTATUS(status) == 127 ? " (not found?)" : "")
                                   : "did not exit normally";
    throw AnalysisError(program + " failed on " + script_path + " (" + reason + ")" +
                        (log.str().empty() ? "" : ":\n" + log.str()));
  }
  return log.str();
}

}  // namespace localsgd::analysis
