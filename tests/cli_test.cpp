// localsgd-train as a user runs it: real Fashion-MNIST runs, byte-identical metrics for equal
// seeds, exit codes and messages for bad input, and no partial outputs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Invocation {
  int exit_code;
  std::string stderr_text;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("localsgd_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write_config(const std::string& text) {
    const fs::path path = dir_ / "run.toml";
    std::ofstream(path) << text;
    return path;
  }
  Invocation train(const fs::path& config, const fs::path& out, const std::string& extra = "") {
    const fs::path log = dir_ / "stderr.txt";
    const std::string command = std::string(LOCALSGD_TRAIN_BINARY) + " " + config.string() + " --out " +
                                out.string() + " " + extra + " 2> " + log.string() + " > /dev/null";
    const int status = std::system(command.c_str());
    return {WEXITSTATUS(status), read_file(log)};
  }
  Invocation microbench(const std::string& arguments) {
    const fs::path log = dir_ / "stderr.txt";
    const std::string command =
        std::string(LOCALSGD_MICROBENCH_BINARY) + " " + arguments + " 2> " + log.string() + " > /dev/null";
    const int status = std::system(command.c_str());
    return {WEXITSTATUS(status), read_file(log)};
  }
  fs::path dir_;
};

// A small real run: narrow ResNet-8, Fashion-MNIST subsets, 4 workers.
constexpr const char* kSmallRun = R"([run]
seed = 3
epochs = 1
eval_every_epochs = 0.5
threads = 2
[data]
train_subset = 2000
test_subset = 500
[model]
depth = 8
width = 0.25
[algorithm]
kind = "postlocal"
workers = 4
local_batch = 16
local_steps = 4
[schedule]
warmup_epochs = 0.25
)";

TEST_F(CliTest, SameSeedGivesByteIdenticalMetrics) {
  const auto config = write_config(kSmallRun);
  ASSERT_EQ(train(config, dir_ / "a").exit_code, 0);
  ASSERT_EQ(train(config, dir_ / "b").exit_code, 0);
  ASSERT_EQ(train(config, dir_ / "c", "--set run.seed=4").exit_code, 0);
  const std::string a = read_file(dir_ / "a" / "metrics.jsonl");
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 2);  // epochs 0.5 and 1
  EXPECT_EQ(a, read_file(dir_ / "b" / "metrics.jsonl"));
  EXPECT_NE(a, read_file(dir_ / "c" / "metrics.jsonl"));  // the seed does reach the numbers
}

TEST_F(CliTest, RunDirectoryHoldsEveryOutputAndNoTemporaries) {
  const auto config = write_config(kSmallRun);
  const Invocation run = train(config, dir_ / "run", "--set run.epochs=0.5");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  for (const char* name : {"config.toml", "metrics.jsonl", "timing.jsonl", "model.pt", "summary.json"})
    EXPECT_TRUE(fs::exists(dir_ / "run" / name)) << name;
  for (const auto& entry : fs::directory_iterator(dir_ / "run"))
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
  const std::string summary = read_file(dir_ / "run" / "summary.json");
  EXPECT_THAT(summary, HasSubstr("\"status\": \"completed\""));
  EXPECT_THAT(summary, HasSubstr("\"time_basis\": \"modelled\""));  // simulated workers
  // Post-local SGD goes local at the first decay (50% of 0.5 epochs = 500 images): after
  // ceil(500 / (4 x 16)) = 8 steps, i.e. 512 / 2000 = 0.256 epochs.
  EXPECT_THAT(summary, HasSubstr("\"local_from_epoch\": 0.256"));
  EXPECT_THAT(read_file(dir_ / "run" / "timing.jsonl"), HasSubstr("\"time_seconds\": "));
  EXPECT_THAT(read_file(dir_ / "run" / "config.toml"), HasSubstr("epochs = 0.5"));
  // The effective config reproduces the run.
  ASSERT_EQ(train(dir_ / "run" / "config.toml", dir_ / "again").exit_code, 0);
  EXPECT_EQ(read_file(dir_ / "run" / "metrics.jsonl"), read_file(dir_ / "again" / "metrics.jsonl"));
}

// Its output piped into a reader that stops after one line: the run still completes (no SIGPIPE
// death) and writes its results.
TEST_F(CliTest, OutputIntoAClosedPipeDoesNotKillTheRun) {
  const auto config = write_config(kSmallRun);
  const std::string command = "bash -c '" + std::string(LOCALSGD_TRAIN_BINARY) + " " + config.string() + " --out " +
                              (dir_ / "run").string() + " --set run.epochs=0.5 2>&1 | head -1 > /dev/null; " +
                              "exit ${PIPESTATUS[0]}'";
  const int status = std::system(command.c_str());
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(fs::exists(dir_ / "run" / "summary.json"));
}

TEST_F(CliTest, BadConfigExitsWithTwoNamesTheLineAndWritesNothing) {
  const auto config = write_config("[run]\nepochs = 1\n[algorithm]\nworkerz = 4\n");
  const Invocation run = train(config, dir_ / "out");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.stderr_text, HasSubstr(config.string() + ":4:1"));
  EXPECT_THAT(run.stderr_text, HasSubstr("workers"));
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(CliTest, MissingDatasetExitsWithOneAndNamesTheFile) {
  const auto config = write_config("[data]\npath = \"/nonexistent/fmnist\"\n");
  const Invocation run = train(config, dir_ / "out");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.stderr_text, HasSubstr("/nonexistent/fmnist/"));
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(CliTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(train(write_config(kSmallRun), "", "").exit_code, 2);  // --out without a value
}

// Chance is 10%. A half-width ResNet-8 on 8000 images for 3 epochs (375 steps) reaches 77%
// here; the bound of 60% leaves room for other seeds and LibTorch builds, and fails a broken run.
TEST_F(CliTest, ShortRealRunIsFarAboveChance) {
  const auto config = write_config(kSmallRun);
  const Invocation run = train(config, dir_ / "run",
                               "--set run.epochs=3 --set data.train_subset=8000 --set data.test_subset=1000 "
                               "--set model.width=0.5 --set optimizer.base_batch=64");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const std::string summary = read_file(dir_ / "run" / "summary.json");
  const auto at = summary.find("\"best_test_accuracy\": ");
  ASSERT_NE(at, std::string::npos) << summary;
  const double best = std::stod(summary.substr(at + 22));
  EXPECT_GT(best, 0.60) << summary;
}

// Table 6's numbers for ResNet-20 on CIFAR-10, counted without reading any data: 272,474
// parameters and 40,813,184 multiply-accumulates per image (both worked out by hand in
// resnet_test.cpp).
TEST_F(CliTest, MicrobenchModelCountsResNet20) {
  const auto config = write_config("[data]\ndataset = \"cifar10\"\n[model]\ndepth = 20\nwidth = 1.0\n");
  const Invocation run = microbench("model " + config.string() + " --out " + (dir_ / "model.json").string());
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const std::string record = read_file(dir_ / "model.json");
  EXPECT_THAT(record, HasSubstr("\"parameters\": 272474"));
  EXPECT_THAT(record, HasSubstr("\"multiply_accumulates\": 40813184"));
  EXPECT_THAT(record, HasSubstr("\"input\": \"3x32x32\""));
}

TEST_F(CliTest, MicrobenchTimesEachBatchSize) {
  const auto config = write_config("[model]\ndepth = 8\nwidth = 0.25\n");
  const Invocation run = microbench("fwd-bwd " + config.string() + " --batches 4,16 --out " +
                                    (dir_ / "times.jsonl").string());
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  std::istringstream lines(read_file(dir_ / "times.jsonl"));
  std::vector<long long> batches;
  for (std::string line; std::getline(lines, line);) {
    long long batch = 0;
    double median = 0, min = 0, max = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "{\"batch\": %lld, \"median_seconds\": %lf, \"min_seconds\": %lf, "
                                        "\"max_seconds\": %lf", &batch, &median, &min, &max), 4) << line;
    EXPECT_GT(min, 0.0);
    EXPECT_LE(min, median);
    EXPECT_LE(median, max);
    EXPECT_THAT(line, ::testing::ContainsRegex("\"iterations\": ([5-9]|[1-9][0-9]+),"));
    batches.push_back(batch);
  }
  EXPECT_EQ(batches, (std::vector<long long>{4, 16}));
}

TEST_F(CliTest, MicrobenchBadBatchesExitWithTwoAndWriteNothing) {
  const auto config = write_config("[model]\ndepth = 8\n");
  const Invocation run = microbench("fwd-bwd " + config.string() + " --batches 4,x --out " +
                                    (dir_ / "times.jsonl").string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.stderr_text, HasSubstr("--batches: 'x' is not a positive integer"));
  EXPECT_FALSE(fs::exists(dir_ / "times.jsonl"));
}

}  // namespace
