// Gradient-noise injection (optim/gradient_noise.h): the variance schedule against its closed
// form, the drawn noise against it, one stream per worker (and the same stream for worker k
// whichever process holds it), and both keys changing a run.
#include <gtest/gtest.h>

#include <cmath>

#include "optim/gradient_noise.h"
#include "run/trainer.h"
#include "support.h"
#include "trained_parameters.h"

namespace localsgd {
namespace {

using namespace testing;

TEST(GradientNoiseTest, VarianceScheduleByHand) {
  EXPECT_DOUBLE_EQ(GradientNoise::variance(0.01, 0.55, 0), 0.01);
  EXPECT_NEAR(GradientNoise::variance(0.01, 0.55, 3), 0.01 / std::pow(4.0, 0.55), 1e-15);
  EXPECT_NEAR(GradientNoise::variance(5e-5, 2.0, 9), 5e-7, 1e-18);
}

// 200,000 draws: the sample variance is within 2 % of σ_t² (its standard error is 0.3 %), the mean near 0.
TEST(GradientNoiseTest, DrawsHaveTheScheduledVariance) {
  const GradientNoise noise(0.04, 1.0, 7);
  torch::Tensor grads = torch::zeros({2, 100000}, torch::kDouble);
  noise.add(grads, 3, 0);
  const double expected = 0.04 / 4;
  EXPECT_NEAR(grads.var().item<double>(), expected, 0.02 * expected);
  EXPECT_NEAR(grads.mean().item<double>(), 0, 5 * std::sqrt(expected / grads.numel()));
}

TEST(GradientNoiseTest, EachWorkerHasItsOwnStream) {
  const GradientNoise noise(0.01, 0.55, 7);
  torch::Tensor simulated = torch::zeros({2, 1000});
  noise.add(simulated, 5, 0);
  EXPECT_FALSE(torch::equal(simulated[0], simulated[1]));
  torch::Tensor rank1 = torch::zeros({1, 1000});  // worker 1 alone, as an MPI rank holds it
  noise.add(rank1, 5, 1);
  EXPECT_TRUE(torch::equal(rank1[0], simulated[1]));
  torch::Tensor later = torch::zeros({2, 1000});
  noise.add(later, 6, 0);
  EXPECT_FALSE(torch::equal(later, simulated));  // a new draw every step
}

TEST(GradientNoiseTest, BothKeysChangeTheRun) {
  const auto data = synthetic_data(320, 32);
  auto final_params = [&](double eta, double gamma) {
    RunConfig c = quick_config("minibatch", 4, 1);
    c.optimizer.noise_eta = eta;
    c.optimizer.noise_gamma = gamma;
    return trained_parameters(c, data);
  };
  const auto none = final_params(0, 0.55);
  const auto noisy = final_params(1e-3, 0.55);
  EXPECT_GT(max_abs_difference(noisy, none), 1e-5);
  EXPECT_GT(max_abs_difference(final_params(1e-3, 2.0), noisy), 1e-6);
  EXPECT_TRUE(torch::equal(final_params(1e-3, 0.55), noisy));  // seeded: the same noise again
}

}  // namespace
}  // namespace localsgd
