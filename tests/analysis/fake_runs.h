// Test helpers: a fresh temporary directory per test, and hand-made run directories in it
// (metrics.jsonl, timing.jsonl, summary.json) with chosen steps and accuracies.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace localsgd::analysis::testing {

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "analysis-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(root); }
  std::string path(const std::string& name) const { return (root / name).string(); }
  std::filesystem::path root;
};

inline void write_text(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A run with one record per accuracy at steps 10, 20, ...: epoch = step / 10, samples = 32 x step,
// sync_rounds = step / 2, wall_seconds = seconds_per_step x step (modelled_seconds 3x that,
// time_seconds 2x), test_loss = 1 - accuracy; summary.json says time_basis.
// A NaN accuracy is written as null, as the trainer writes non-finite values.
inline void write_run(const std::string& dir, const std::vector<double>& accuracy,
                      const std::string& status = "completed", double seconds_per_step = 0.5,
                      const std::string& time_basis = "modelled") {
  std::ostringstream metrics, timing;
  for (size_t i = 0; i < accuracy.size(); ++i) {
    const int step = 10 * static_cast<int>(i + 1);
    const std::string acc = std::isnan(accuracy[i]) ? "null" : std::to_string(accuracy[i]);
    const std::string loss = std::isnan(accuracy[i]) ? "null" : std::to_string(1 - accuracy[i]);
    metrics << "{\"epoch\": " << step / 10.0 << ", \"step\": " << step << ", \"samples\": "
            << 32 * step << ", \"sync_rounds\": " << step / 2 << ", \"lr\": 0.1, \"train_loss\": "
            << loss << ", \"train_accuracy\": " << acc << ", \"test_loss\": " << loss
            << ", \"test_accuracy\": " << acc << "}\n";
    timing << "{\"step\": " << step << ", \"wall_seconds\": " << seconds_per_step * step
           << ", \"modelled_seconds\": " << 3 * seconds_per_step * step
           << ", \"time_seconds\": " << 2 * seconds_per_step * step << "}\n";
  }
  write_text(dir + "/metrics.jsonl", metrics.str());
  write_text(dir + "/timing.jsonl", timing.str());
  double best = 0;
  for (double a : accuracy) best = std::isnan(a) ? best : std::max(best, a);
  write_text(dir + "/summary.json",
             "{\"status\": \"" + status + "\", \"time_basis\": \"" + time_basis +
                 "\", \"best_test_accuracy\": " +
                 (status == "diverged" ? std::string("null") : std::to_string(best)) + "}\n");
}

}  // namespace localsgd::analysis::testing
