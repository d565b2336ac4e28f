// Local-step warm-up (algo/local_step_warmup.cpp) against hand values: the H of each shape, the
// sync points as H grows, its own keys, and the degenerate case (constant = local SGD).
#include <gtest/gtest.h>

#include "algorithm_trace.h"
#include "config_files.h"

namespace localsgd {
std::int64_t warmed_up_local_steps(const std::string& shape, double epoch, double epochs, std::int64_t h_max);
namespace {

using namespace testing;

RunConfig warmup_case(const std::string& shape, double epochs) {
  RunConfig c = hand_case("local-warmup", 8);  // the kind's own keys come from a config file
  const std::string path = write_config(
      "[run]\nepochs = 10\n[algorithm]\nkind = \"local-warmup\"\nworkers = 4\nlocal_batch = 25\nlocal_steps = 8\n"
      "local_steps_warmup = \"" + shape + "\"\nlocal_steps_warmup_epochs = " + std::to_string(epochs) +
      "\n[schedule]\ndecay_at = [0.5, 0.75]\n", "_" + shape);
  RunConfig loaded = load_config(path);
  c.algorithm = loaded.algorithm;
  c.options = loaded.options;
  return c;
}

// Hand values: H_max = 8 over a 4-epoch warm-up. Linear: 1 + floor(7 e / 4); exponential:
// 2^floor(3 e / 4).
TEST(LocalStepWarmupTest, ShapesByHand) {
  EXPECT_EQ(warmed_up_local_steps("linear", 0.0, 4, 8), 1);
  EXPECT_EQ(warmed_up_local_steps("linear", 1.0, 4, 8), 2);   // 1 + floor(1.75)
  EXPECT_EQ(warmed_up_local_steps("linear", 3.9, 4, 8), 7);   // 1 + floor(6.825)
  EXPECT_EQ(warmed_up_local_steps("linear", 4.0, 4, 8), 8);
  EXPECT_EQ(warmed_up_local_steps("exponential", 1.0, 4, 8), 1);   // 2^floor(0.75)
  EXPECT_EQ(warmed_up_local_steps("exponential", 1.4, 4, 8), 2);   // 2^floor(1.05)
  EXPECT_EQ(warmed_up_local_steps("exponential", 2.7, 4, 8), 4);   // 2^floor(2.025)
  EXPECT_EQ(warmed_up_local_steps("constant", 0.0, 4, 8), 8);
}

// 10 steps per epoch, warm-up over 2 epochs, linear: H = 1 for steps 0..2 (e < 2/7), then
// 1 + floor(7 e / 2). Sync points walk from 0: each adds H at the point.
TEST(LocalStepWarmupTest, SyncPointsFollowTheGrowingH) {
  const Trace t = trace(warmup_case("linear", 2));
  std::vector<std::int64_t> expected;
  std::int64_t point = 0;
  while (true) {
    const std::int64_t h = warmed_up_local_steps("linear", point / 10.0, 2, 8);
    point += h;
    if (point > 100) break;
    expected.push_back(point - 1);
  }
  if (expected.back() != 99) expected.push_back(99);
  EXPECT_EQ(steps_of(t, Buffer::kParams), expected);
  EXPECT_EQ(expected[0], 0);  // H = 1 at the start: the first steps all sync
  EXPECT_EQ(t.algorithm->local_steps(0), 1);
  EXPECT_EQ(t.algorithm->local_steps(25), 8);
}

// The error a config text raises, after its path.
std::string error_of(const std::string& text) {
  const std::string path = write_config(text);
  const std::string error = load_error(path);
  return error == "<no error>" ? "" : error.substr(path.size());
}

TEST(LocalStepWarmupTest, ItsKeysAreCheckedAndBelongToIt) {
  EXPECT_EQ(error_of("[algorithm]\nkind = \"local\"\nlocal_steps_warmup = \"linear\"\n"),
            ":3:1: algorithm.local_steps_warmup: local_steps_warmup does not apply to kind = local");
  EXPECT_EQ(error_of("[run]\nepochs = 4\n[algorithm]\nkind = \"local-warmup\"\nlocal_steps_warmup = \"cubic\"\n"),
            ":5:1: algorithm.local_steps_warmup: 'cubic' is not one of linear, exponential, constant");
  EXPECT_EQ(error_of("[run]\nepochs = 4\n[algorithm]\nkind = \"local-warmup\"\nlocal_steps_warmup_epochs = 4\n"),
            ":5:1: algorithm.local_steps_warmup_epochs: must be in (0, run.epochs) (got 4, run.epochs = 4)");
  EXPECT_EQ(error_of("[algorithm]\nkind = \"local-warmup\"\nlocal_steps_warmup_epochs = \"two\"\n"),
            ":3:1: algorithm.local_steps_warmup_epochs: expected a number, got string");
}

// The degenerate case: a constant warm-up is plain local SGD, exchange for exchange.
TEST(LocalStepWarmupTest, ConstantWarmupIsLocalSgd) {
  EXPECT_EQ(trace(warmup_case("constant", 2)).exchanges, trace(hand_case("local", 8)).exchanges);
}

}  // namespace
}  // namespace localsgd
