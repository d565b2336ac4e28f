// Defines RunDirectory: the outputs of one run, as one unit. metrics.jsonl (one deterministic
// record per evaluation), timing.jsonl (wall and communication seconds of the same records: kept
// apart so that equal runs give byte-identical metrics), config.toml, model.pt and summary.json.
// - claim(), before any work: an exclusive lock on the directory (flock: released when the
//   process ends, so a killed run leaves no stale lock), a completed run (summary.json) refused
//   unless replaced on purpose, files that are not a run's refused, the directory and its parent
//   checked writable.
// - finish(): every file is written into a staging directory beside it and the two directories
//   are swapped in one rename, so a reader sees the old directory or all of the new run, never a
//   mixture; the old one, with its checkpoints, is then removed.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.h"
#include "models/model.h"
#include "run/records.h"

namespace localsgd {

// The directory cannot be used: in use, holding a completed or a foreign run, or unwritable.
class RunDirectoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The files a run directory holds when complete; summary.json says it is.
const std::vector<std::string>& run_file_names();

class RunDirectory {
 public:
  // Creates and claims `path` for this process; with `replace`, a completed run in it is
  // replaced at finish() (until then it stays as it was). Throws RunDirectoryError naming it.
  static RunDirectory claim(const std::string& path, bool replace);
  RunDirectory(RunDirectory&& other) noexcept;
  RunDirectory& operator=(RunDirectory&&) = delete;
  // Releases the lock; removes an unused staging directory, and the directory itself if claim()
  // created it and nothing was written into it (a run that failed before its first checkpoint).
  ~RunDirectory();

  // Writes every file: the records' lines (metrics_line, timing_line), the model, the summary.
  // Throws IoError with the reason; the directory then holds what it held before.
  void finish(const RunConfig& config, const RunResult& result, const std::vector<std::string>& metrics_lines,
              const std::vector<std::string>& timing_lines, Model& model, std::int64_t parameter_count);
  const std::string& path() const { return path_; }

 private:
  RunDirectory(std::string path, int lock_fd, bool created);
  std::string path_, staging_;
  int lock_fd_;
  bool created_, finished_ = false;
};

std::string metrics_line(const EvalRecord& record);
std::string timing_line(const EvalRecord& record);
std::string summary_json(const RunConfig& config, const RunResult& result, std::int64_t parameter_count);

}  // namespace localsgd
