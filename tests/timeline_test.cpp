// The shared step-dependent quantities (epochs, LR, evaluation cadence) against values worked
// out by hand for a small case. Sync points are the algorithms' (algorithm_test.cpp).
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace localsgd
