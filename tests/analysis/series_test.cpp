// Averaging over seeds: mean and sample std computed by hand, prefixes of diverged runs, and
// the error for seeds whose steps differ.
#include <cmath>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "analysis_error.h"
#include "fake_runs.h"
#include "run_reader.h"
#include "series.h"

namespace localsgd::analysis {
namespace {

using ::testing::HasSubstr;
using testing::write_run;
using SeriesTest = testing::TempDirTest;

constexpr double kTol = 1e-12;  // values are short decimals; only rounding separates them

TEST_F(SeriesTest, AveragesSeedsRecordByRecord) {
  write_run(path("a"), {0.8, 0.5});
  write_run(path("b"), {0.9, 0.7});
  const Series s = average_series("local", {read_run_curve(path("a"), "epoch", "test_accuracy"),
                                            read_run_curve(path("b"), "epoch", "test_accuracy")});
  ASSERT_EQ(s.points.size(), 2u);
  EXPECT_NEAR(s.points[0].y_mean, 0.85, kTol);
  EXPECT_NEAR(s.points[0].y_std, std::sqrt(0.005), kTol);  // ((0.05^2 + 0.05^2) / 1)^0.5 = 0.0707
  EXPECT_NEAR(s.points[0].y_std, 0.0707107, 1e-7);
  EXPECT_NEAR(s.points[1].y_mean, 0.6, kTol);
  EXPECT_NEAR(s.points[1].x, 2.0, kTol);
  EXPECT_EQ(s.points[1].seeds, 2);
}

TEST_F(SeriesTest, SingleSeedHasZeroStd) {
  double mean = 0, std = 1;
  mean_and_std({0.25}, mean, std);
  EXPECT_EQ(mean, 0.25);
  EXPECT_EQ(std, 0.0);
}

TEST_F(SeriesTest, DivergedSeedContributesUntilItStops) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  write_run(path("ok"), {0.5, 0.6, 0.7});
  write_run(path("bad"), {0.3, nan}, "diverged");
  const RunCurve bad = read_run_curve(path("bad"), "epoch", "test_accuracy");
  EXPECT_EQ(bad.steps.size(), 1u);
  EXPECT_TRUE(bad.ended_early);
  const Series s =
      average_series("x", {read_run_curve(path("ok"), "epoch", "test_accuracy"), bad});
  ASSERT_EQ(s.points.size(), 3u);
  EXPECT_EQ(s.points[0].seeds, 2);
  EXPECT_NEAR(s.points[0].y_mean, 0.4, kTol);
  EXPECT_EQ(s.points[1].seeds, 1);
  EXPECT_NEAR(s.points[2].y_mean, 0.7, kTol);
}

TEST_F(SeriesTest, SeedsWithDifferentStepsAreAnError) {
  write_run(path("long"), {0.5, 0.6, 0.7});
  write_run(path("short"), {0.5, 0.6});
  const auto curve = [&](const char* d) { return read_run_curve(path(d), "epoch", "test_accuracy"); };
  EXPECT_THAT([&] { average_series("s", {curve("long"), curve("short")}); },
              ::testing::ThrowsMessage<AnalysisError>(::testing::AllOf(
                  HasSubstr("different steps"), HasSubstr(path("short") + "/metrics.jsonl"),
                  HasSubstr(path("long") + "/metrics.jsonl"))));
}

TEST_F(SeriesTest, SeedsWithShiftedStepsAreAnError) {
  write_run(path("a"), {0.5, 0.6});
  write_run(path("b"), {0.5, 0.6});
  testing::write_text(path("b") + "/metrics.jsonl",
                      "{\"epoch\": 1, \"step\": 10, \"test_accuracy\": 0.5}\n"
                      "{\"epoch\": 2, \"step\": 21, \"test_accuracy\": 0.6}\n");
  const auto curve = [&](const char* d) { return read_run_curve(path(d), "epoch", "test_accuracy"); };
  EXPECT_THAT([&] { average_series("s", {curve("a"), curve("b")}); },
              ::testing::ThrowsMessage<AnalysisError>(
                  ::testing::AllOf(HasSubstr("record 2 is step 21"), HasSubstr(path("b")))));
}

}  // namespace
}  // namespace localsgd::analysis
