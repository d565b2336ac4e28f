// The sign methods (algo/sign_sgd.cpp, ef_sign_sgd.cpp, local_sign_sgd.cpp) against hand values
// on a toy layout (tests/hand_step.h: a weight of 2 values and a bias) and against each other:
// the scaled sign and its payload, sign averaging and majority vote, error feedback over two
// steps, Algorithm 3 at H = 1 against signSGD's sign averaging, the keys, and resumes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "algo/sign_compression.h"
#include "config_files.h"
#include "hand_step.h"
#include "run/trainer.h"
#include "resume_check.h"

namespace localsgd {
namespace {

using namespace testing;
using ::testing::ElementsAre;

RunConfig sign_config(const std::string& kind, int workers, const std::string& extra = "") {
  RunConfig c = quick_config(kind, workers, 1);
  return with_algorithm_keys(c, "kind = \"" + kind + "\"\nworkers = " + std::to_string(workers) +
                                    "\nlocal_batch = 8\n" + extra);
}

// Weight [1, -3] -> ‖.‖₁/2 = 2: [2, -2]; bias [2] -> [2]. Weight [0, 4] -> 2 x sign: [0, 2]; bias [-0.5].
TEST(SignSgdTest, ScaledSignByHand) {
  torch::nn::Linear linear(2, 1);
  const auto layout = ParameterLayout::of(*linear);
  const auto out = scaled_sign(torch::tensor({{1.0f, -3.0f, 2.0f}, {0.0f, 4.0f, -0.5f}}), layout);
  EXPECT_TRUE(torch::equal(out, torch::tensor({{2.0f, -2.0f, 2.0f}, {0.0f, 2.0f, -0.5f}})));
  EXPECT_EQ(sign_payload_bytes(layout, false), 1);      // 3 bits, packed
  EXPECT_EQ(sign_payload_bytes(layout, true), 1 + 8);  // and one float32 scale per layer
}

// Three workers, lr 0.5, signs (+, +, -), (+, +, -) and (-, +, +); per value:
//   mean:     (1/3, 1, -1/3)   -> x = -0.5 x mean
//   majority: sign(1, 3, -1)   -> x = (-0.5, -0.5, 0.5)  (a sum of 3 votes is one step, not three)
// Two workers voting (+, +, +) and (-, -, +): sums (0, 0, 2), a tie gives 0: x = (0, 0, -0.5).
TEST(SignSgdTest, SignAveragingAndMajorityVoteByHand) {
  const std::vector<std::vector<double>> grads = {{2, 3, -1}, {1, 4, -2}, {-5, 1, 7}};
  HandStep mean(sign_config("sign-sgd", 3));
  mean.step(0, 0.5, grads);
  for (std::int64_t k = 0; k < 3; ++k) {
    const auto x = mean.row(k);
    EXPECT_NEAR(x[0], -0.5 / 3, 1e-7);
    EXPECT_EQ(x[1], -0.5);
    EXPECT_NEAR(x[2], 0.5 / 3, 1e-7);
  }
  HandStep majority(sign_config("sign-sgd", 3, "sign_aggregation = \"majority\"\n"));
  majority.step(0, 0.5, grads);
  for (std::int64_t k = 0; k < 3; ++k) EXPECT_THAT(majority.row(k), ElementsAre(-0.5, -0.5, 0.5));
  EXPECT_EQ(majority.comm.stats().payload_bytes, 1);  // one packed byte of signs per worker
  HandStep tie(sign_config("sign-sgd", 2, "sign_aggregation = \"majority\"\n"));
  tie.step(0, 0.5, {{1, 2, 3}, {-1, -2, 3}});
  EXPECT_THAT(tie.row(0), ElementsAre(0.0, 0.0, -0.5));
}

// Two workers, lr 1, plain SGD. Step 1: p0 = (3, -1 | 2) -> C = (2, -2 | 2), e0 = (1, 1 | 0);
// p1 = (1, 1 | -4) -> C = p1, e1 = 0; x = -(1.5, -0.5 | -1) = (-1.5, 0.5 | 1). Step 2, zero
// gradients: p0 = e0 -> C = (1, 1 | 0), e0 = 0; p1 = 0; x -= (0.5, 0.5 | 0) -> (-2, 0 | 1).
TEST(SignSgdTest, ErrorFeedbackOverTwoStepsByHand) {
  HandStep ef(sign_config("ef-sign-sgd", 2));
  ef.step(0, 1.0, {{3, -1, 2}, {1, 1, -4}});
  EXPECT_THAT(ef.row(0), ElementsAre(-1.5, 0.5, 1.0));
  ef.step(1, 1.0, {{0, 0, 0}, {0, 0, 0}});
  EXPECT_THAT(ef.row(0), ElementsAre(-2.0, 0.0, 1.0));
  EXPECT_THAT(ef.row(1), ElementsAre(-2.0, 0.0, 1.0));
  EXPECT_EQ(ef.comm.stats().payload_bytes, 2 * 9);  // per step: 1 byte of signs, 2 float32 scales
}

// Algorithm 3 at H = 1: Δ_k = γ sign(d_k) and C(Δ_k) = γ sign(d_k) wherever d_k has no zero, so
// it is signSGD with sign averaging, up to the rounding of the scale (float64 here).
TEST(SignSgdTest, LocalSignSgdAtHOneIsSignAveraging) {
  Float64Scope float64;
  const auto data = synthetic_data(320, 32);
  RunConfig local = sign_config("local-sign-sgd", 4);
  RunConfig mean = sign_config("sign-sgd", 4);
  local.optimizer.lr = mean.optimizer.lr = 0.01;
  Trainer a(local, data), b(mean, data);
  a.run(nullptr);
  b.run(nullptr);
  EXPECT_LT(max_abs_difference(a.replicas().params, b.replicas().params), 1e-9);
  // At H = 2 the workers drift between syncs and the compressed difference is another step.
  RunConfig h2 = local;
  h2.algorithm.local_steps = 2;
  Trainer c(h2, data);
  c.run(nullptr);
  EXPECT_GT(max_abs_difference(c.replicas().params, b.replicas().params), 1e-4);
}

// Algorithm 4, one worker, H = 2, lr 1: two SGD steps move x from 0 to -(g1 + g2) = (-3, 1 | 0.5);
// the sync sends C(Δ) = C(3, -1 | -0.5) = (2, -2 | -0.5), so x = (-2, 2 | 0.5), and keeps
// e = (1, 1 | 0). A round of zero gradients sends C(e) = (1, 1 | 0): x = (-3, 1 | 0.5), the
// uncompressed result, delivered late.
TEST(SignSgdTest, LocalErrorFeedbackByHand) {
  RunConfig c = sign_config("local-ef-sign-sgd", 1);
  c.algorithm.local_steps = 2;
  HandStep ef(c);
  ef.step(0, 1.0, {{1, 0, -1}});
  EXPECT_THAT(ef.row(0), ElementsAre(-1.0, 0.0, 1.0));  // a local step, no sync yet
  ef.step(1, 1.0, {{2, -1, 0.5}});
  EXPECT_THAT(ef.row(0), ElementsAre(-2.0, 2.0, 0.5));
  ef.step(2, 1.0, {{0, 0, 0}});
  ef.step(3, 1.0, {{0, 0, 0}});
  EXPECT_THAT(ef.row(0), ElementsAre(-3.0, 1.0, 0.5));
  EXPECT_EQ(ef.comm.stats().payload_bytes, 2 * 9);  // two syncs of packed signs and scales
}

TEST(SignSgdTest, EachKeyChangesTheRun) {
  const auto data = synthetic_data(320, 32);
  auto final_params = [&](const RunConfig& c) {
    Trainer t(c, data);
    t.run(nullptr);
    return t.replicas().params.clone();
  };
  RunConfig mean = sign_config("sign-sgd", 4), majority = sign_config("sign-sgd", 4, "sign_aggregation = \"majority\"\n");
  mean.optimizer.lr = majority.optimizer.lr = 0.01;
  EXPECT_GT(max_abs_difference(final_params(mean), final_params(majority)), 1e-5);
  RunConfig from_start = sign_config("local-sign-sgd", 4, "local_steps = 4\n");
  RunConfig switched = sign_config("local-sign-sgd", 4, "local_steps = 4\nswitch_epoch = 0.5\n");
  EXPECT_GT(max_abs_difference(final_params(from_start), final_params(switched)), 1e-5);
}

TEST(SignSgdTest, ItsKeysAreChecked) {
  EXPECT_EQ(config_error("[algorithm]\nkind = \"sign-sgd\"\nsign_aggregation = \"vote\"\n"),
            ":3:1: algorithm.sign_aggregation: 'vote' is not one of mean, majority");
  EXPECT_EQ(config_error("[algorithm]\nkind = \"local\"\nsign_aggregation = \"majority\"\n"),
            ":3:1: algorithm.sign_aggregation: sign_aggregation does not apply to kind = local");
  EXPECT_EQ(config_error("[run]\nepochs = 2\n[algorithm]\nkind = \"local-sign-sgd\"\nswitch_epoch = 3\n"),
            ":5:1: algorithm.switch_epoch: switch_epoch must be before the end of training (got 3, run.epochs = 2)");
}

// The error memory and the anchor are part of the run state.
TEST(SignSgdTest, ResumesExactly) {
  RunConfig ef = sign_config("ef-sign-sgd", 4);
  ef.run.epochs = 3;
  expect_resume_is_exact(ef, 13);
  RunConfig local = sign_config("local-ef-sign-sgd", 4, "local_steps = 4\n");
  local.run.epochs = 3;
  expect_resume_is_exact(local, 13);
}

}  // namespace
}  // namespace localsgd
