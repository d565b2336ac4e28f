#include "run_reader.h"

#include <cmath>
#include <filesystem>
#include <map>

#include "analysis_error.h"
#include "json_files.h"

namespace localsgd::analysis {

namespace {

std::string join(const std::string& dir, const char* name) {
  return (std::filesystem::path(dir) / name).string();
}

// Time axes live in timing.jsonl (they are not deterministic), joined to metrics on step.
bool is_timing_field(const std::string& field) {
  return field == "wall_seconds" || field == "modelled_seconds" || field == "time_seconds";
}

// step -> field from timing.jsonl.
std::map<double, double> read_timing_field(const std::string& dir, const std::string& field) {
  const std::string path = join(dir, "timing.jsonl");
  std::map<double, double> seconds;
  for (const JsonLine& record : read_json_lines(path))
    seconds[number_field(record, "step", path)] = number_field(record, field, path);
  return seconds;
}

}  // namespace

const std::vector<std::string>& x_fields() {
  static const std::vector<std::string> fields = {"epoch", "step", "wall_seconds", "modelled_seconds",
                                                  "time_seconds", "sync_rounds", "samples"};
  return fields;
}

const std::vector<std::string>& y_fields() {
  static const std::vector<std::string> fields = {"test_accuracy", "train_loss", "test_loss",
                                                  "train_accuracy"};
  return fields;
}

namespace {

nlohmann::json read_summary(const std::string& dir) {
  const std::string path = join(dir, "summary.json");
  nlohmann::json summary = read_json_file(path);
  if (!summary.is_object() || !summary.contains("status") || !summary["status"].is_string())
    throw AnalysisError(path + ": no string field \"status\"");
  return summary;
}

}  // namespace

std::string read_run_status(const std::string& dir) {
  return read_summary(dir)["status"].get<std::string>();
}

std::string describe_time_axis(const std::vector<RunCurve>& runs) {
  bool measured = false, modelled = false;
  for (const RunCurve& run : runs) (run.time_basis == "measured" ? measured : modelled) = true;
  if (measured && modelled) return "training time (s), measured when distributed, modelled when simulated";
  return measured ? "training time (s), measured" : "training time (s), modelled";
}

RunCurve read_run_curve(const std::string& dir, const std::string& x_field,
                        const std::string& y_field) {
  RunCurve curve;
  curve.dir = dir;
  curve.metrics_path = join(dir, "metrics.jsonl");
  const nlohmann::json summary = read_summary(dir);
  curve.status = summary["status"].get<std::string>();
  if (summary.contains("time_basis") && summary["time_basis"].is_string())
    curve.time_basis = summary["time_basis"].get<std::string>();
  curve.ended_early = curve.status == "diverged";
  const bool wall = is_timing_field(x_field);
  const std::map<double, double> seconds = wall ? read_timing_field(dir, x_field) : std::map<double, double>{};
  for (const JsonLine& record : read_json_lines(curve.metrics_path)) {
    const double step = number_field(record, "step", curve.metrics_path);
    const double y = number_field(record, y_field, curve.metrics_path);
    if (std::isnan(y)) {
      curve.ended_early = true;
      break;
    }
    double x = 0;
    if (wall) {
      const auto it = seconds.find(step);
      if (it == seconds.end())
        throw AnalysisError(join(dir, "timing.jsonl") + ": no record for step " +
                            std::to_string(static_cast<long long>(step)) + " (" +
                            curve.metrics_path + ":" + std::to_string(record.line) + ")");
      x = it->second;
    } else {
      x = number_field(record, x_field, curve.metrics_path);
    }
    curve.steps.push_back(step);
    curve.x.push_back(x);
    curve.y.push_back(y);
  }
  // A completed run records every evaluation, its last step included: none is a damaged file.
  if (curve.steps.empty() && curve.status == "completed")
    throw AnalysisError(curve.metrics_path + ": no records, but summary.json says the run completed (a completed "
                        "run has one per evaluation): the file is empty or truncated");
  return curve;
}

}  // namespace localsgd::analysis
