// Defines RunDirectory: the outputs of one run. metrics.jsonl (one deterministic record per
// evaluation), timing.jsonl (wall and communication seconds of the same records: kept apart so
// that equal runs give byte-identical metrics), config.toml, model.pt and summary.json.
// Records are kept in memory and every file is written at the end under a temporary name and
// renamed, so a run that fails or is killed leaves no partial result; summary.json comes last.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "models/model.h"
#include "run/records.h"

namespace localsgd {

class RunDirectory {
 public:
  explicit RunDirectory(std::string path) : path_(std::move(path)) {}
  // Writes every file: the records' lines (metrics_line, timing_line), the model, the summary.
  void finish(const RunConfig& config, const RunResult& result, const std::vector<std::string>& metrics_lines,
              const std::vector<std::string>& timing_lines, Model& model, std::int64_t parameter_count);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string metrics_line(const EvalRecord& record);
std::string timing_line(const EvalRecord& record);
std::string summary_json(const RunConfig& config, const RunResult& result, std::int64_t parameter_count);

}  // namespace localsgd
