#include "io/run_directory.h"

#include <cstdio>
#include <filesystem>

#include "io/atomic_file.h"
#include "util/json_record.h"
#include "io/model_file.h"

namespace localsgd {
namespace {

void prepare(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) throw std::runtime_error(path + ": cannot create run directory (" + error.message() + ")");
}

}  // namespace

std::string metrics_line(const EvalRecord& r) {
  return JsonRecord()
      .add("epoch", r.epoch).add("step", r.step).add("samples", r.samples)
      .add("sync_rounds", r.sync_rounds).add("comm_bytes", r.comm_bytes)
      .add("block_sync_rounds", r.block_sync_rounds).add("block_comm_bytes", r.block_comm_bytes)
      .add("injected_delay_seconds", r.injected_delay_seconds)
      .add("modelled_comm_seconds", r.modelled_comm_seconds)
      .add("lr", r.lr).add("local_steps", r.local_steps)
      .add("train_loss", r.train_loss).add("train_accuracy", r.train_accuracy)
      .add("test_loss", r.test_loss).add("test_accuracy", r.test_accuracy)
      .str();
}

std::string timing_line(const EvalRecord& r) {
  return JsonRecord()
                 .add("step", r.step)
                 .add("wall_seconds", r.wall_seconds)
                 .add("train_seconds", r.train_seconds)
                 .add("modelled_seconds", r.modelled_seconds())
                 .add("time_seconds", r.reported_seconds())
                 .add("comm_seconds", r.global_comm.seconds)
                 .add("comm_algbw_gbps", r.global_comm.algbw_gbps())
                 .add("comm_busbw_gbps", r.global_comm.busbw_gbps())
                 .add("block_comm_seconds", r.block_comm.seconds)
                 .add("block_comm_algbw_gbps", r.block_comm.algbw_gbps())
                 .add("block_comm_busbw_gbps", r.block_comm.busbw_gbps())
                 .str();
}

std::string summary_json(const RunConfig& config, const RunResult& result, std::int64_t parameter_count) {
  JsonRecord summary;
  summary.add("status", result.status);
  if (result.diverged_at_step >= 0) summary.add("diverged_at_step", result.diverged_at_step);
  else summary.add_null("diverged_at_step");
  if (result.local_from_epoch >= 0) summary.add("local_from_epoch", result.local_from_epoch);
  else summary.add_null("local_from_epoch");
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
      .add("backend", result.backend)
      .add("time_basis", time_basis(result.distributed))
      .add("bn_stats", config.algorithm.bn_stats)
      .add("momentum_policy", config.algorithm.momentum)
      .add("parameters", parameter_count)
      .str() + "\n";
}

namespace {

std::string lines_text(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

}  // namespace

void RunDirectory::finish(const RunConfig& config, const RunResult& result,
                          const std::vector<std::string>& metrics_lines, const std::vector<std::string>& timing_lines,
                          Model& model, std::int64_t parameter_count) {
  prepare(path_);
  write_file_atomically(path_ + "/config.toml", to_toml(config));
  const std::string model_path = path_ + "/model.pt";
  save_model(model, temporary_name(model_path));
  rename_into_place(model_path);
  write_file_atomically(path_ + "/metrics.jsonl", lines_text(metrics_lines));
  write_file_atomically(path_ + "/timing.jsonl", lines_text(timing_lines));
  write_file_atomically(path_ + "/summary.json", summary_json(config, result, parameter_count));
}

}  // namespace localsgd
