// Defines RunDirectory: the outputs of one run. metrics.jsonl (one deterministic record per
// evaluation), timing.jsonl (wall time of the same records: kept apart so that equal runs give
// byte-identical metrics), and at the end config.toml, model.pt and summary.json. Every file is
// written under a temporary name and renamed; summary.json comes last and marks a finished run.
#pragma once

#include <string>

#include "atomic_file.h"
#include "config.h"
#include "resnet.h"
#include "trainer.h"

namespace localsgd {

class RunDirectory {
 public:
  explicit RunDirectory(const std::string& path);  // creates it if needed
  void record(const EvalRecord& record);
  void finish(const RunConfig& config, const RunResult& result, ResNet& model, std::int64_t parameter_count);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  PendingFile metrics_, timing_;
};

std::string metrics_line(const EvalRecord& record);
std::string summary_json(const RunConfig& config, const RunResult& result, std::int64_t parameter_count);

}  // namespace localsgd
