// The batch schedule in runs (schedule.batch_factor, schedule.batch_switch_epoch; Table 2's
// third row; its two phases by hand are in timeline_test.cpp): a switch at epoch 0 against a run
// with the larger batch from the start (the same arithmetic, bit for bit); each key changing the
// run; errors located.
#include <gtest/gtest.h>

#include "config_files.h"
#include "run/trainer.h"
#include "support.h"

namespace localsgd {
namespace {

using namespace testing;

// A switch at epoch 0 is the larger batch from the first step: the same samples in the same
// order (a worker's stream is one sequence, whatever the batch cuts it into) and the same LR.
TEST(BatchScheduleTest, SwitchAtZeroEqualsTheLargerBatchThroughout) {
  const auto data = synthetic_data(320, 32);
  auto run = [&](std::int64_t local_batch, std::int64_t factor) {
    RunConfig c = quick_config("minibatch", 2, 1);
    c.run.epochs = 2;
    c.optimizer.base_batch = 16;  // linear scaling: the LR follows the batch
    c.algorithm.local_batch = local_batch;
    c.schedule.batch_factor = factor;
    c.schedule.batch_switch_epoch = 0;
    Trainer t(c, data);
    const RunResult result = t.run(nullptr);
    return std::make_pair(t.replicas().params.clone(), result.samples_seen);
  };
  const auto scheduled = run(8, 4), direct = run(32, 1);
  EXPECT_TRUE(torch::equal(scheduled.first, direct.first));
  EXPECT_EQ(scheduled.second, 640);
  EXPECT_EQ(direct.second, 640);
}

TEST(BatchScheduleTest, EachKeyChangesTheRun) {
  const auto data = synthetic_data(320, 32);
  auto run = [&](std::int64_t factor, double switch_epoch) {
    RunConfig c = quick_config("minibatch", 2, 1);
    c.run.epochs = 2;
    c.schedule.batch_factor = factor;
    c.schedule.batch_switch_epoch = switch_epoch;
    Trainer t(c, data);
    const RunResult result = t.run(nullptr);
    return std::make_pair(t.replicas().params.clone(), result.steps);
  };
  const auto none = run(1, 1), doubled = run(2, 1), early = run(2, 0.5);
  EXPECT_EQ(none.second, 40);                // 640 samples in steps of 16
  EXPECT_EQ(doubled.second, 20 + 10);        // then steps of 32
  EXPECT_EQ(early.second, 10 + 15);
  EXPECT_FALSE(torch::equal(none.first, doubled.first));
  EXPECT_FALSE(torch::equal(doubled.first, early.first));
}

TEST(BatchScheduleTest, ErrorsAreLocated) {
  EXPECT_EQ(config_error("[schedule]\nbatch_factor = 0\n"),
            ":2:1: schedule.batch_factor: must be in [1, 1048576] (got 0)");
  EXPECT_EQ(config_error("[schedule]\nbatch_switch_epoch = -1.5\n"),
            ":2:1: schedule.batch_switch_epoch: must be >= 0 (got -1.5)");
  // A clash of two keys is reported at the one set last.
  EXPECT_EQ(config_error("[schedule]\nbatch_factor = 2\ndecay_at = []\n"),
            ":3:1: schedule.decay_at: a batch factor switches at schedule.batch_switch_epoch or, omitted, at the "
            "first LR decay; there is neither");
  const std::string too_big = config_error("[data]\ntrain_subset = 100\n[algorithm]\nworkers = 2\nlocal_batch = 10\n"
                                           "[schedule]\nbatch_factor = 8\n");
  EXPECT_NE(too_big.find("x schedule.batch_factor = 2 x 10 x 8 = 160 samples"), std::string::npos) << too_big;
}

}  // namespace
}  // namespace localsgd
