// The shared step-dependent quantities (epochs, LR, evaluation cadence, a batch schedule's two
// phases) against values worked out by hand for a small case. Sync points are the algorithms' (algorithm_test.cpp).
#include <gtest/gtest.h>

#include <cmath>

#include "schedule/timeline.h"

namespace localsgd {
namespace {

// N = 1000 samples, K = 4, B_loc = 25: global batch 100, 10 steps per epoch, 10 epochs = 100 steps.
RunConfig hand_case() {
  RunConfig c;
  c.run.epochs = 10;
  c.algorithm.workers = 4;
  c.algorithm.local_batch = 25;
  c.optimizer.lr = 0.1;
  c.optimizer.base_batch = 50;  // global batch 100 = 2 x base: linear scaling gives 0.2
  c.schedule.warmup_epochs = 2;  // steps 0..19
  c.schedule.warmup_lr = 0.05;
  c.schedule.decay_at = {0.5, 0.75};  // epochs 5 and 7.5: steps 50 and 75
  c.schedule.decay_factor = 0.1;
  return c;
}

TEST(TimelineTest, StepsAndEpochs) {
  Timeline t(hand_case(), 1000);
  EXPECT_EQ(t.global_batch(), 100);
  EXPECT_EQ(t.total_steps(), 100);
  EXPECT_DOUBLE_EQ(t.epoch_at(15), 1.5);
  EXPECT_EQ(t.first_step_at_epoch(7.5), 75);
  EXPECT_EQ(t.first_step_at_epoch(7.51), 76);
  EXPECT_DOUBLE_EQ(t.first_decay_epoch(), 5.0);
}

TEST(TimelineTest, TotalStepsRoundUpToCoverAllEpochs) {
  RunConfig c = hand_case();
  c.run.epochs = 1.01;  // 1010 samples need 11 global batches of 100
  EXPECT_EQ(Timeline(c, 1000).total_steps(), 11);
}

TEST(TimelineTest, LearningRateByHand) {
  Timeline t(hand_case(), 1000);
  EXPECT_DOUBLE_EQ(t.peak_lr(), 0.2);
  EXPECT_DOUBLE_EQ(t.learning_rate(0), 0.05);                    // start of warm-up
  EXPECT_DOUBLE_EQ(t.learning_rate(10), 0.05 + (0.2 - 0.05) * 0.5);      // epoch 1 of 2
  EXPECT_DOUBLE_EQ(t.learning_rate(19), 0.05 + (0.2 - 0.05) * 1.9 / 2);  // last warm-up step
  EXPECT_DOUBLE_EQ(t.learning_rate(20), 0.2);                    // warm-up done
  EXPECT_DOUBLE_EQ(t.learning_rate(49), 0.2);                    // just before the first decay
  EXPECT_DOUBLE_EQ(t.learning_rate(50), 0.2 * 0.1);              // just after
  EXPECT_DOUBLE_EQ(t.learning_rate(74), 0.2 * 0.1);
  EXPECT_DOUBLE_EQ(t.learning_rate(75), 0.2 * 0.1 * 0.1);
  EXPECT_DOUBLE_EQ(t.learning_rate(99), 0.2 * 0.1 * 0.1);
}

TEST(TimelineTest, LearningRateScalingRules) {
  RunConfig c = hand_case();
  c.schedule.warmup_epochs = 0;
  c.optimizer.base_batch = 25;  // global batch is 4 x base
  c.optimizer.lr_scaling = "sqrt";
  EXPECT_DOUBLE_EQ(Timeline(c, 1000).learning_rate(0), 0.2);
  c.optimizer.lr_scaling = "none";
  EXPECT_DOUBLE_EQ(Timeline(c, 1000).learning_rate(0), 0.1);
  c.optimizer.lr_scaling = "linear";
  EXPECT_DOUBLE_EQ(Timeline(c, 1000).learning_rate(0), 0.4);
}

TEST(TimelineTest, WarmupDefaultsToTheUnscaledBaseLr) {
  RunConfig c = hand_case();
  c.schedule.warmup_lr = -1;
  EXPECT_DOUBLE_EQ(Timeline(c, 1000).learning_rate(0), 0.1);
}

TEST(TimelineTest, EvaluationCadence) {
  RunConfig c = hand_case();
  c.run.eval_every_epochs = 2.5;  // epochs 2.5, 5, 7.5, 10: after steps 24, 49, 74, 99
  Timeline t(c, 1000);
  std::vector<std::int64_t> evals;
  for (std::int64_t s = 0; s < t.total_steps(); ++s)
    if (t.evaluates_after(s)) evals.push_back(s);
  EXPECT_EQ(evals, (std::vector<std::int64_t>{24, 49, 74, 99}));
}

// The batch schedule: 4 x the batch from the first decay (epoch 5, step 50) on. Linear scaling
// gives 0.8 for the global batch of 400.
RunConfig batch_schedule_case() {
  RunConfig c = hand_case();
  c.run.eval_every_epochs = 2.5;
  c.schedule.batch_factor = 4;
  return c;
}

TEST(TimelineTest, BatchScheduleTwoPhasesByHand) {
  const Timeline t(batch_schedule_case(), 1000);
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

TEST(TimelineTest, BatchSwitchEpochAndScalingRule) {
  RunConfig c = batch_schedule_case();
  c.schedule.warmup_epochs = 0;
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

TEST(TimelineTest, BatchSwitchAfterTheEndIsNoSchedule) {
  RunConfig c = batch_schedule_case();
  c.schedule.batch_switch_epoch = 20;
  const Timeline t(c, 1000);
  EXPECT_EQ(t.total_steps(), 100);
  EXPECT_EQ(t.batch_switch_step(), 100);
  EXPECT_EQ(t.local_batch(99), 25);
  EXPECT_DOUBLE_EQ(t.learning_rate(99), 0.2 * 0.01);
}

}  // namespace
}  // namespace localsgd
