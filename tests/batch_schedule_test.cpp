// The batch schedule (schedule.batch_factor, schedule.batch_switch_epoch; Table 2's third row):
// the two phases' steps, epochs, samples and LR against values worked out by hand; a switch at
// epoch 0 against a run with the larger batch from the start (the same arithmetic, bit for bit);
// a switch after the end against no schedule; each key changing the run; errors located.
#include <gtest/gtest.h>

#include <cmath>

#include "config_files.h"
#include "run/trainer.h"
#include "schedule/timeline.h"
#include "support.h"

namespace localsgd {
namespace {

using namespace testing;

// N = 1000, K = 4, B_loc = 25 (global batch 100), 10 epochs; base batch 50: linear scaling
// gives 0.2 for 100 and 0.8 for 400. Decays at epochs 5 and 7.5.
RunConfig hand_case() {
  RunConfig c;
  c.run.epochs = 10;
  c.run.eval_every_epochs = 2.5;
  c.algorithm.workers = 4;
  c.algorithm.local_batch = 25;
  c.optimizer.lr = 0.1;
  c.optimizer.base_batch = 50;
  c.schedule.warmup_epochs = 0;
  c.schedule.decay_at = {0.5, 0.75};
  c.schedule.decay_factor = 0.1;
  c.schedule.batch_factor = 4;  // switch at the first decay (epoch 5, step 50) to 4 x 25
  return c;
}

TEST(BatchScheduleTest, TwoPhasesByHand) {
  const Timeline t(hand_case(), 1000);
  // 50 steps of 100 samples, then 5000 samples in steps of 400: 12.5, so 13 more steps.
  EXPECT_EQ(t.batch_switch_step(), 50);
  EXPECT_EQ(t.total_steps(), 63);
  EXPECT_EQ(t.local_batch(49), 25);
  EXPECT_EQ(t.local_batch(50), 100);
  EXPECT_EQ(t.samples_before(50), 5000);
  EXPECT_EQ(t.samples_before(51), 5400);
  EXPECT_DOUBLE_EQ(t.epoch_at(51), 5.4);
  EXPECT_DOUBLE_EQ(t.epoch_at(63), 10.2);
  // Epoch 6 is first reached after 3 steps of 400 (5.8 after 2); epoch 7.5 after 7 (7.8).
  EXPECT_EQ(t.first_step_at_epoch(6), 53);
  EXPECT_EQ(t.first_step_at_epoch(7.5), 57);
  EXPECT_DOUBLE_EQ(t.learning_rate(49), 0.2);
  EXPECT_DOUBLE_EQ(t.learning_rate(50), 0.8 * 0.1);  // the larger batch's LR, decayed once
  EXPECT_DOUBLE_EQ(t.learning_rate(56), 0.8 * 0.1);
  EXPECT_DOUBLE_EQ(t.learning_rate(57), 0.8 * 0.1 * 0.1);
  std::vector<std::int64_t> evals;
  for (std::int64_t s = 0; s < t.total_steps(); ++s)
    if (t.evaluates_after(s)) evals.push_back(s);
  EXPECT_EQ(evals, (std::vector<std::int64_t>{24, 49, 56, 62}));  // epochs 2.5, 5, 7.8 (7.5 crossed), the end
}

TEST(BatchScheduleTest, SwitchEpochAndScalingRule) {
  RunConfig c = hand_case();
  c.schedule.batch_switch_epoch = 2;  // step 20
  c.optimizer.lr_scaling = "none";
  const Timeline t(c, 1000);
  EXPECT_EQ(t.batch_switch_step(), 20);
  EXPECT_EQ(t.total_steps(), 20 + 20);  // 8000 samples in steps of 400
  EXPECT_DOUBLE_EQ(t.learning_rate(20), 0.1);  // no scaling: the batch does not move the LR
  c.optimizer.lr_scaling = "sqrt";
  EXPECT_DOUBLE_EQ(Timeline(c, 1000).learning_rate(20), 0.1 * std::sqrt(8.0));  // sqrt(400 / 50)
  EXPECT_DOUBLE_EQ(Timeline(c, 1000).learning_rate(19), 0.1 * std::sqrt(2.0));  // sqrt(100 / 50)
}

TEST(BatchScheduleTest, SwitchAfterTheEndIsNoSchedule) {
  RunConfig c = hand_case();
  c.schedule.batch_switch_epoch = 20;
  const Timeline t(c, 1000);
  EXPECT_EQ(t.total_steps(), 100);
  EXPECT_EQ(t.batch_switch_step(), 100);
  EXPECT_EQ(t.local_batch(99), 25);
  EXPECT_DOUBLE_EQ(t.learning_rate(99), 0.2 * 0.01);
}

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
