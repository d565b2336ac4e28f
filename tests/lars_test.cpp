// LARS (optim/lars.h) in the local optimizer: a trust ratio worked out by hand on a toy layout,
// the degenerate coefficient 0 (the plain direction, by hand), and the key changing a run.
#include <gtest/gtest.h>

#include "optim/flat_sgd.h"
#include "run/trainer.h"
#include "support.h"
#include "trained_parameters.h"

namespace localsgd {
namespace {

using namespace testing;

// Weight x = (3, 4), ‖x‖ = 5, g = (0.6, 0.8), ‖g‖ = 1, weight decay 0.1: λ = 0.003 x 5 / (1 + 0.1 x 5)
// = 0.01, d = λ (g + 0.1 x) = (0.009, 0.012). The bias has x = 0: λ = 1, d = g = 2.
TEST(LarsTest, TrustRatioByHand) {
  torch::nn::Linear linear(2, 1);
  const auto layout = ParameterLayout::of(*linear);
  OptimizerSection o;
  o.momentum = 0, o.nesterov = false, o.weight_decay = 0.1, o.decay_bias = false, o.lars_coefficient = 0.003;
  FlatSgd sgd(o, layout, 1);
  const auto params = torch::tensor({{3.0f, 4.0f, 0.0f}});
  const auto grads = torch::tensor({{0.6f, 0.8f, 2.0f}});
  const auto d = sgd.direction(params, grads);
  EXPECT_NEAR(d[0][0].item<double>(), 0.009, 1e-8);
  EXPECT_NEAR(d[0][1].item<double>(), 0.012, 1e-8);
  EXPECT_FLOAT_EQ(d[0][2].item<float>(), 2.0f);
  Lars lars(0.003, layout, weight_decay_mask(layout, o) * o.weight_decay);
  const auto ratios = lars.trust_ratios(params, grads);
  EXPECT_NEAR(ratios[0][0].item<double>(), 0.01, 1e-8);
  EXPECT_EQ(ratios[0][1].item<double>(), 1.0);
  // Coefficient 0: no LARS, the plain direction g + 0.1 x = (0.9, 1.2 | 2).
  o.lars_coefficient = 0;
  FlatSgd plain(o, layout, 1);
  const auto d0 = plain.direction(params, grads);
  EXPECT_NEAR(d0[0][0].item<double>(), 0.9, 1e-6);
  EXPECT_NEAR(d0[0][1].item<double>(), 1.2, 1e-6);
  EXPECT_FLOAT_EQ(d0[0][2].item<float>(), 2.0f);
}

// Each worker's ratio comes from its own rows.
TEST(LarsTest, RatiosArePerWorker) {
  torch::nn::Linear linear(2, 1);
  const auto layout = ParameterLayout::of(*linear);
  Lars lars(1.0, layout, torch::zeros({3}));
  const auto ratios = lars.trust_ratios(torch::tensor({{3.0f, 4.0f, 1.0f}, {6.0f, 8.0f, 1.0f}}),
                                        torch::tensor({{0.6f, 0.8f, 1.0f}, {0.6f, 0.8f, 1.0f}}));
  EXPECT_NEAR(ratios[0][0].item<double>(), 5.0, 1e-6);
  EXPECT_NEAR(ratios[1][0].item<double>(), 10.0, 1e-6);
}

TEST(LarsTest, TheKeyChangesTheRun) {
  const auto data = synthetic_data(320, 32);
  auto final_params = [&](double coefficient) {
    RunConfig c = quick_config("local", 4, 2);
    c.optimizer.lars_coefficient = coefficient;
    return trained_parameters(c, data);
  };
  const auto plain = final_params(0);
  EXPECT_GT(max_abs_difference(final_params(0.02), plain), 1e-4);
}

}  // namespace
}  // namespace localsgd
