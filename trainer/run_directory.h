// Defines RunDirectory: the outputs of one run. metrics.jsonl (one deterministic record per
// evaluation), timing.jsonl (wall and communication seconds of the same records: kept apart so
// that equal runs give byte-identical metrics), config.toml, model.pt and summary.json.
// Records are kept in memory and every file is written at the end under a temporary name and
// renamed, so a run that fails or is killed leaves no partial result; summary.json comes last.
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "resnet.h"
#include "trainer.h"

namespace localsgd {

class RunDirectory {
 public:
  explicit RunDirectory(std::string path) : path_(std::move(path)) {}
  void record(const EvalRecord& record);
  void finish(const RunConfig& config, const RunResult& result, ResNet& model, std::int64_t parameter_count);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string metrics_, timing_;
};

std::string metrics_line(const EvalRecord& record);
std::string summary_json(const RunConfig& config, const RunResult& result, std::int64_t parameter_count);

}  // namespace localsgd
