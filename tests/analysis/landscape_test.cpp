// The landscape measurements against what they must equal: interpolation endpoints are the
// models themselves, filter-normalised directions have the weights' filter norms and zero bias
// and BN parts, BN statistics re-estimated over one batch are that batch's, and Keskar's
// epsilon-sharpness of a quadratic is its closed form.
#include <gtest/gtest.h>

#include <cmath>

#include "landscape/directions.h"
#include "landscape/epsilon_sharpness.h"
#include "landscape/fixed_loss.h"
#include "landscape/interpolation.h"
#include "loss_models.h"
#include "models/parameter_layout.h"

namespace localsgd::analysis {
namespace {

using namespace testing;

TEST(LandscapeTest, InterpolationEndpointsAreTheModels) {
  torch::manual_seed(1);
  TinyNormNet a, b, point;
  {
    torch::NoGradGuard no_grad;
    a.norm->running_mean.fill_(0.5);
    b.norm->running_var.fill_(3.0);
  }
  const torch::Tensor inputs = torch::randn({12, 1, 5, 5}), targets = torch::randint(0, 4, {12}, torch::kLong);
  const TensorSamples samples(inputs, targets);
  const Classification task;
  for (const double alpha : {0.0, 1.0}) {
    interpolate_models(a, b, alpha, point);
    Model& same = alpha == 0 ? static_cast<Model&>(a) : static_cast<Model&>(b);
    FixedLoss along(point, samples, task, 0, 5), own(same, samples, task, 0, 5);
    EXPECT_EQ(along.value().loss, own.value().loss) << alpha;
    EXPECT_TRUE(torch::equal(point.norm->running_var, static_cast<TinyNormNet&>(same).norm->running_var));
  }
  // Halfway: the mean of the weights and of the statistics.
  interpolate_models(a, b, 0.5, point);
  EXPECT_TRUE(torch::allclose(point.conv->weight, (a.conv->weight + b.conv->weight) / 2));
  EXPECT_TRUE(torch::allclose(point.norm->running_var, (a.norm->running_var + b.norm->running_var) / 2));
  // Extrapolation goes past B.
  interpolate_models(a, b, 1.5, point);
  EXPECT_TRUE(torch::allclose(point.head->bias, b.head->bias + 0.5 * (b.head->bias - a.head->bias)));
}

TEST(LandscapeTest, ReestimatedStatisticsAreTheBatchStatistics) {
  torch::manual_seed(2);
  TinyNormNet model;
  const torch::Tensor inputs = torch::randn({16, 1, 5, 5}) * 2 + 1;
  const TensorSamples samples(inputs, torch::zeros({16}, torch::kLong));
  EXPECT_EQ(reestimate_norm_statistics(model, samples, 0, 16), 1);
  const torch::Tensor activations = model.conv(inputs).detach();
  const torch::Tensor mean = activations.mean({0, 2, 3});
  const torch::Tensor var = activations.var({0, 2, 3}, /*unbiased=*/true);
  EXPECT_TRUE(torch::allclose(model.norm->running_mean, mean, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(model.norm->running_var, var, 1e-5, 1e-6));
  EXPECT_TRUE(model.norm->options.momentum().has_value());  // put back
}

TEST(LandscapeTest, FilterNormalisedDirection) {
  torch::manual_seed(3);
  TinyNormNet model;
  const ParameterLayout layout = ParameterLayout::of(model);
  std::vector<torch::Tensor> flat;
  for (const auto& p : model.parameters()) flat.push_back(p.detach().reshape(-1).to(torch::kDouble));
  const torch::Tensor w = torch::cat(flat);
  const torch::Tensor d = filter_normalised_direction(layout, w, 7);
  int weights = 0, zeroed = 0;
  for (const ParameterSlot& slot : layout.slots()) {
    const torch::Tensor part = d.narrow(0, slot.offset, slot.numel);
    if (slot.role != ParameterRole::kWeight) {
      EXPECT_EQ(part.abs().max().item<double>(), 0.0) << slot.name;
      ++zeroed;
      continue;
    }
    ++weights;
    const torch::Tensor df = part.view({slot.shape[0], -1}), wf = w.narrow(0, slot.offset, slot.numel).view({slot.shape[0], -1});
    for (std::int64_t f = 0; f < slot.shape[0]; ++f)
      EXPECT_NEAR(df[f].norm().item<double>(), wf[f].norm().item<double>(), 1e-9) << slot.name << " filter " << f;
  }
  EXPECT_EQ(weights, 2);  // conv and head weights
  EXPECT_EQ(zeroed, 4);   // conv and head biases, BN scale and shift
  // Seeded: the same seed, the same direction; another seed, another.
  EXPECT_TRUE(torch::equal(d, filter_normalised_direction(layout, w, 7)));
  EXPECT_FALSE(torch::equal(d, filter_normalised_direction(layout, w, 8)));
}

// f(x) = 1/2 sum a_i x_i^2 at x = c: the maximum over the box |y_i| <= eps (|c_i| + 1) moves
// every coordinate outwards to its bound, f_max = 1/2 sum a_i (|c_i| + eps (|c_i| + 1))^2.
TEST(LandscapeTest, KeskarSharpnessOfAQuadratic) {
  const torch::Tensor a = torch::tensor({1.0, 4.0, 0.5, 2.0, 9.0}, torch::kDouble);
  const torch::Tensor c = torch::tensor({0.3, -0.2, 1.5, 0.0, -0.05}, torch::kDouble);
  const double eps = 1e-2;
  const ValueAndGradient f = [&](const torch::Tensor& x, torch::Tensor& gradient) {
    gradient = a * x;
    return 0.5 * (a * x * x).sum().item<double>();
  };
  // At c_4 = 0 the gradient is 0 in that coordinate: an outward move is still a maximum, the
  // solver must find it from the other coordinates' curvature; the closed form uses |c_i|.
  const double f0 = 0.5 * (a * c * c).sum().item<double>();
  const torch::Tensor outward = c.abs() + eps * (c.abs() + 1);
  const double f_max = 0.5 * (a * outward * outward).sum().item<double>();
  const EpsilonSharpness s = keskar_sharpness(f, c, eps, 50);
  EXPECT_NEAR(s.loss, f0, 1e-12);
  // Coordinates with a nonzero gradient reach their bound; the zero-gradient one may stay put.
  const double without_zero = f_max - 0.5 * 2.0 * eps * eps;
  EXPECT_GE(s.max_loss, without_zero - 1e-9);
  EXPECT_LE(s.max_loss, f_max + 1e-12);
  EXPECT_NEAR(s.sharpness, 100 * (s.max_loss - f0) / (1 + f0), 1e-9);
  EXPECT_GT(s.evaluations, 1);
}

}  // namespace
}  // namespace localsgd::analysis
