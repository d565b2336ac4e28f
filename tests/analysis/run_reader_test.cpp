// Reading one run directory: the x column for each --x choice (wall_seconds joined from
// timing.jsonl on step) and located errors for malformed or missing input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "analysis_error.h"
#include "fake_runs.h"
#include "run_reader.h"

namespace localsgd::analysis {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::ThrowsMessage;
using testing::write_run;
using testing::write_text;
using RunReaderTest = testing::TempDirTest;

TEST_F(RunReaderTest, XColumnFollowsTheChoice) {
  write_run(path("r"), {0.1, 0.2}, "completed", 0.25);
  const struct { const char* x; double first, second; } cases[] = {
      {"epoch", 1, 2}, {"step", 10, 20}, {"samples", 320, 640}, {"sync_rounds", 5, 10}, {"wall_seconds", 2.5, 5},
      {"modelled_seconds", 7.5, 15}, {"time_seconds", 5, 10}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.x);
    const RunCurve curve = read_run_curve(path("r"), c.x, "test_accuracy");
    ASSERT_EQ(curve.x.size(), 2u);
    EXPECT_DOUBLE_EQ(curve.x[0], c.first);
    EXPECT_DOUBLE_EQ(curve.x[1], c.second);
  }
}

TEST_F(RunReaderTest, TimeAxisSaysWhetherTimesAreMeasuredOrModelled) {
  write_run(path("sim"), {0.1}, "completed", 0.5, "modelled");
  write_run(path("mpi"), {0.1}, "completed", 0.5, "measured");
  const RunCurve sim = read_run_curve(path("sim"), "time_seconds", "test_accuracy");
  const RunCurve mpi = read_run_curve(path("mpi"), "time_seconds", "test_accuracy");
  EXPECT_EQ(sim.time_basis, "modelled");
  EXPECT_THAT(describe_time_axis({sim}), HasSubstr("modelled"));
  EXPECT_THAT(describe_time_axis({mpi}), Not(HasSubstr("modelled")));
  EXPECT_THAT(describe_time_axis({mpi, sim}), HasSubstr("measured when distributed, modelled when simulated"));
}

TEST_F(RunReaderTest, YColumnFollowsTheChoice) {
  write_run(path("r"), {0.25});
  EXPECT_DOUBLE_EQ(read_run_curve(path("r"), "epoch", "test_loss").y[0], 0.75);
  EXPECT_DOUBLE_EQ(read_run_curve(path("r"), "epoch", "train_accuracy").y[0], 0.25);
}

TEST_F(RunReaderTest, MalformedJsonLineNamesFileAndLine) {
  write_run(path("r"), {0.1, 0.2});
  write_text(path("r") + "/metrics.jsonl",
             "{\"epoch\": 1, \"step\": 10, \"test_accuracy\": 0.1}\n{\"epoch\": 2, \"step\": 2\n");
  EXPECT_THAT([&] { read_run_curve(path("r"), "epoch", "test_accuracy"); },
              ThrowsMessage<AnalysisError>(HasSubstr(path("r") + "/metrics.jsonl:2: invalid JSON")));
}

TEST_F(RunReaderTest, MissingFieldNamesFileAndLine) {
  write_run(path("r"), {0.1});
  write_text(path("r") + "/metrics.jsonl", "\n{\"epoch\": 1, \"step\": 10}\n");
  EXPECT_THAT([&] { read_run_curve(path("r"), "epoch", "test_accuracy"); },
              ThrowsMessage<AnalysisError>(
                  HasSubstr("metrics.jsonl:2: no field \"test_accuracy\"")));
}

TEST_F(RunReaderTest, MissingTimingRecordIsNamed) {
  write_run(path("r"), {0.1, 0.2});
  write_text(path("r") + "/timing.jsonl", "{\"step\": 10, \"wall_seconds\": 1}\n");
  EXPECT_THAT([&] { read_run_curve(path("r"), "wall_seconds", "test_accuracy"); },
              ThrowsMessage<AnalysisError>(HasSubstr("timing.jsonl: no record for step 20")));
}

TEST_F(RunReaderTest, MissingSummaryIsNamed) {
  write_run(path("r"), {0.1});
  std::filesystem::remove(path("r") + "/summary.json");
  EXPECT_THAT([&] { read_run_curve(path("r"), "epoch", "test_accuracy"); },
              ThrowsMessage<AnalysisError>(HasSubstr(path("r") + "/summary.json: cannot open")));
}

}  // namespace
}  // namespace localsgd::analysis
