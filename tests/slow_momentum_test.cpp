// SlowMo / global momentum (algo/slow_momentum.cpp) against hand values and degenerate cases:
// two sync rounds of crafted parameters worked out by hand, slow_lr = 1 with slow_momentum = 0
// against local SGD, its keys, and a resume that restores its anchor and buffer.
#include <gtest/gtest.h>

#include "algorithm_trace.h"
#include "config_files.h"
#include "resume_check.h"
#include "run/trainer.h"

namespace localsgd {
namespace {

using namespace testing;

RunConfig slowmo(RunConfig c, double beta, double alpha) {
  return with_algorithm_keys(c, "kind = \"slowmo\"\nworkers = " + std::to_string(c.algorithm.workers) +
                                    "\nlocal_batch = " + std::to_string(c.algorithm.local_batch) +
                                    "\nlocal_steps = " + std::to_string(c.algorithm.local_steps) +
                                    "\nslow_momentum = " + std::to_string(beta) + "\nslow_lr = " + std::to_string(alpha) + "\n");
}

// K = 2, H = 2, lr 0.1, beta 0.5, alpha 2, every parameter 0 at the start. Round 1: the workers
// reach 1 and 3, mean 2: u = (0 - 2) / 0.1 = -20, x = 0 - 2 x 0.1 x (-20) = 4. Round 2: they
// reach 3 and 5, mean 4 (no net move): u = 0.5 x (-20) + 0 = -10, x = 4 + 2 = 6.
TEST(SlowMomentumTest, TwoRoundsByHand) {
  RunConfig c = hand_case("local", 2);
  c.algorithm.workers = 2;
  c = slowmo(c, 0.5, 2.0);
  const Timeline timeline(c, 1000);
  Replicas replicas(c, DataShape{1, 12, 12, 4}, 2, 1);
  FlatSgd optimizer(c.optimizer, replicas.layout, 2);
  SimulatedCommunicator comm(2, 1);
  const SyncPolicy policy = SyncPolicy::from(c);
  auto algorithm = make_algorithm(c, timeline);
  auto step = [&](std::int64_t s, double first, double second) {
    StepContext context{s, 0.1, replicas, optimizer, comm, policy};
    algorithm->after_backward(context);
    replicas.params[0].fill_(first);  // as if the local update had moved the workers there
    replicas.params[1].fill_(second);
    algorithm->after_update(context);
  };
  replicas.params.zero_();
  step(0, 0.5, 1.5);  // no sync after step 0 (H = 2)
  EXPECT_DOUBLE_EQ(replicas.params[0][0].item<double>(), 0.5);
  step(1, 1.0, 3.0);
  EXPECT_NEAR(replicas.params.min().item<double>(), 4.0, 1e-12);
  EXPECT_NEAR(replicas.params.max().item<double>(), 4.0, 1e-12);
  step(2, 3.5, 4.5);
  step(3, 3.0, 5.0);
  EXPECT_NEAR(replicas.params.min().item<double>(), 6.0, 1e-12);
  EXPECT_NEAR(replicas.params.max().item<double>(), 6.0, 1e-12);
}

// slow_lr = 1 and slow_momentum = 0: the new anchor is the average, local SGD's model, up to the
// rounding of x - lr (x - mean) / lr (float64: far below any real difference, see trainer_test).
TEST(SlowMomentumTest, NoSlowMomentumIsLocalSgd) {
  Float64Scope float64;
  const auto data = synthetic_data();
  Trainer slow(slowmo(quick_config("local", 4, 4), 0.0, 1.0), data);
  Trainer local(quick_config("local", 4, 4), data);
  slow.run(nullptr);
  local.run(nullptr);
  EXPECT_LT(max_abs_difference(slow.replicas().params, local.replicas().params), 1e-9);
  // With momentum the runs part: the buffer really moves the model.
  Trainer moved(slowmo(quick_config("local", 4, 4), 0.5, 1.0), data);
  moved.run(nullptr);
  EXPECT_GT(max_abs_difference(moved.replicas().params, local.replicas().params), 1e-3);
}

// Each key changes the run (a key ignored would leave the parameters alone).
TEST(SlowMomentumTest, EachKeyChangesTheRun) {
  const auto data = synthetic_data(320, 32);
  auto final_params = [&](double beta, double alpha) {
    Trainer t(slowmo(quick_config("local", 4, 2), beta, alpha), data);
    t.run(nullptr);
    return t.replicas().params.clone();
  };
  const torch::Tensor base = final_params(0.5, 1.0);
  EXPECT_GT(max_abs_difference(final_params(0.7, 1.0), base), 1e-4);
  EXPECT_GT(max_abs_difference(final_params(0.5, 0.5), base), 1e-4);
}

TEST(SlowMomentumTest, ItsKeysAreCheckedAndBelongToIt) {
  EXPECT_EQ(config_error("[algorithm]\nkind = \"local\"\nslow_momentum = 0.5\n"),
            ":3:1: algorithm.slow_momentum: slow_momentum does not apply to kind = local");
  EXPECT_EQ(config_error("[algorithm]\nkind = \"slowmo\"\nslow_momentum = 1.0\n"),
            ":3:1: algorithm.slow_momentum: must be in [0, 1) (got 1)");
  EXPECT_EQ(config_error("[algorithm]\nkind = \"slowmo\"\nslow_lr = 0\n"), ":3:1: algorithm.slow_lr: must be > 0 (got 0)");
}

// A run saved between syncs and resumed continues bit for bit: the anchor and the buffer are
// part of the run state (without them the resumed run would restart its momentum from zero).
TEST(SlowMomentumTest, ResumesExactlyBetweenSyncs) {
  RunConfig c = slowmo(quick_config("local", 4, 4), 0.5, 1.0);
  c.run.epochs = 3;
  expect_resume_is_exact(c, 13);
}

}  // namespace
}  // namespace localsgd
