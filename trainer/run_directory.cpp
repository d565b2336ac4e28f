#include "run_directory.h"

#include <cstdio>
#include <filesystem>

#include "json_record.h"

namespace localsgd {
namespace {

std::string prepare(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) throw std::runtime_error(path + ": cannot create run directory (" + error.message() + ")");
  return path;
}

}  // namespace

RunDirectory::RunDirectory(const std::string& path)
    : path_(prepare(path)), metrics_(path + "/metrics.jsonl"), timing_(path + "/timing.jsonl") {}

std::string metrics_line(const EvalRecord& r) {
  return JsonRecord()
      .add("epoch", r.epoch).add("step", r.step).add("samples", r.samples)
      .add("sync_rounds", r.sync_rounds).add("comm_bytes", r.comm_bytes)
      .add("lr", r.lr).add("local_steps", r.local_steps)
      .add("train_loss", r.train_loss).add("train_accuracy", r.train_accuracy)
      .add("test_loss", r.test_loss).add("test_accuracy", r.test_accuracy)
      .str();
}

void RunDirectory::record(const EvalRecord& r) {
  metrics_.write_line(metrics_line(r));
  timing_.write_line(JsonRecord().add("step", r.step).add("wall_seconds", r.wall_seconds).str());
}

std::string summary_json(const RunConfig& config, const RunResult& result, std::int64_t parameter_count) {
  JsonRecord summary;
  summary.add("status", result.status);
  if (result.diverged_at_step >= 0) summary.add("diverged_at_step", result.diverged_at_step);
  else summary.add_null("diverged_at_step");
  if (result.best_test_accuracy >= 0) {
    summary.add("best_test_accuracy", result.best_test_accuracy);
    summary.add("final_test_accuracy", result.final_test_accuracy);
  } else {
    summary.add_null("best_test_accuracy").add_null("final_test_accuracy");
  }
  const double seconds = result.train_seconds > 0 ? result.train_seconds : 1e-9;
  return summary.add("steps", result.steps)
      .add("samples_seen", result.samples_seen)
      .add("train_seconds", result.train_seconds)
      .add("eval_seconds", result.eval_seconds)
      .add("images_per_second", static_cast<double>(result.samples_seen) / seconds)
      .add("algorithm", config.algorithm.kind)
      .add("workers", config.algorithm.workers)
      .add("bn_stats", config.algorithm.bn_stats)
      .add("momentum_policy", config.algorithm.momentum)
      .add("parameters", parameter_count)
      .str() + "\n";
}

void RunDirectory::finish(const RunConfig& config, const RunResult& result, ResNet& model,
                          std::int64_t parameter_count) {
  write_file_atomically(path_ + "/config.toml", to_toml(config));
  const std::string model_path = path_ + "/model.pt";
  torch::save(model, temporary_name(model_path));
  if (std::rename(temporary_name(model_path).c_str(), model_path.c_str()) != 0)
    throw std::runtime_error(model_path + ": cannot rename into place");
  metrics_.commit();
  timing_.commit();
  write_file_atomically(path_ + "/summary.json", summary_json(config, result, parameter_count));
}

}  // namespace localsgd
