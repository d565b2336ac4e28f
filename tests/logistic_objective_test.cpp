// Tests the logistic-regression objective's minimum (Newton's method) against a closed form and
// against a second solver written here (plain gradient descent, its gradient checked by finite
// differences of the objective), and the errors for a problem without a minimiser.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "task/logistic_objective.h"

namespace localsgd {
namespace {

using ::testing::HasSubstr;

// One feature equal to 1: a samples of class 1, b of class 0, no L2. f(w) = (a log(1 + e^-w) +
// b log(1 + e^w)) / n is smallest where a / (1 + e^w) = b / (1 + e^-w), at w = log(a / b).
TEST(LogisticObjectiveTest, MatchesTheClosedFormOfOneConstantFeature) {
  const int a = 7, b = 3;
  auto labels = torch::cat({torch::ones({a}, torch::kLong), torch::zeros({b}, torch::kLong)});
  const LogisticObjective objective(torch::ones({a + b, 1}), labels, 0.0);
  const double w = std::log(double(a) / b);
  EXPECT_NEAR(objective.minimiser()[0].item<double>(), w, 1e-12);
  const double f = (a * std::log1p(std::exp(-w)) + b * std::log1p(std::exp(w))) / (a + b);
  EXPECT_NEAR(objective.minimum(), f, 1e-15);
  EXPECT_NEAR(objective.value(torch::tensor({0.0})), std::log(2.0), 1e-15);  // f(0) = log 2 for every sample
}

struct Problem {
  torch::Tensor x, labels;
  double l2;
};

Problem random_problem() {
  torch::manual_seed(3);
  const auto x = torch::randn({200, 5}, torch::kDouble);
  const auto truth = torch::tensor({1.0, -2.0, 0.5, 0.0, 3.0}, torch::kDouble);
  const auto p = torch::sigmoid(x.mv(truth));
  const auto labels = (torch::rand({200}, torch::kDouble) < p).to(torch::kLong);  // noisy: not separable
  return {x, labels, 0.01};
}

// The gradient of f written out independently: −Xᵀ(y σ(−y Xw)) / n + λ w.
torch::Tensor hand_gradient(const Problem& p, const torch::Tensor& w) {
  const auto y = p.labels.to(torch::kDouble) * 2 - 1;
  return -p.x.t().mv(y * torch::sigmoid(-y * p.x.mv(w))) / double(p.x.size(0)) + p.l2 * w;
}

TEST(LogisticObjectiveTest, AgreesWithGradientDescentRunToConvergence) {
  const Problem p = random_problem();
  const LogisticObjective objective(p.x, p.labels, p.l2);
  // The hand gradient is the objective's: central differences of value().
  const auto probe = torch::tensor({0.3, -0.1, 0.2, 0.5, -0.4}, torch::kDouble);
  const auto g = hand_gradient(p, probe);
  for (int i = 0; i < 5; ++i) {
    auto e = torch::zeros({5}, torch::kDouble);
    e[i] = 1e-5;
    const double fd = (objective.value(probe + e) - objective.value(probe - e)) / 2e-5;
    EXPECT_NEAR(fd, g[i].item<double>(), 1e-8) << i;
  }
  // Gradient descent with step 1/L, L = λ + ‖X‖₂² / (4n): linear convergence for this strongly convex f.
  const double norm = torch::linalg_matrix_norm(p.x, 2).item<double>();
  const double step = 1.0 / (p.l2 + norm * norm / (4.0 * p.x.size(0)));
  auto w = torch::zeros({5}, torch::kDouble);
  for (int t = 0; t < 20000; ++t) w = w - step * hand_gradient(p, w);
  EXPECT_LT(hand_gradient(p, w).abs().max().item<double>(), 1e-12);
  EXPECT_LT((objective.minimiser() - w).abs().max().item<double>(), 1e-9);
  EXPECT_NEAR(objective.minimum(), objective.value(w), 1e-14);
  EXPECT_LE(objective.minimum(), objective.value(w) + 1e-16);
  EXPECT_GT(objective.newton_steps(), 2);  // it did iterate
  EXPECT_LT(objective.newton_steps(), 30);
}

TEST(LogisticObjectiveTest, RefusesProblemsWithoutAMinimiser) {
  // A feature that is 0 in every sample and no L2: the Hessian is singular.
  const auto x = torch::tensor({1.0, 0.0, -1.0, 0.0, 2.0, 0.0}, torch::kDouble).reshape({3, 2});
  const auto labels = torch::tensor({1, 0, 0}, torch::kLong);
  try {
    LogisticObjective(x, labels, 0.0);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("set weight_decay > 0"));
  }
  EXPECT_NO_THROW(LogisticObjective(x, labels, 1e-3));
}

// Separable data without L2 has no minimiser, only the infimum 0 as w runs off to infinity:
// Newton's method stops where the rest is below its tolerance, which is that infimum.
TEST(LogisticObjectiveTest, SeparableDataWithoutL2ReachesTheInfimum) {
  const auto separable = torch::tensor({1.0, 2.0, -1.0, -3.0}, torch::kDouble).reshape({4, 1});
  const LogisticObjective objective(separable, torch::tensor({1, 1, 0, 0}, torch::kLong), 0.0);
  EXPECT_LT(objective.minimum(), 1e-13);
  EXPECT_GT(objective.minimiser()[0].item<double>(), 20.0);
}

}  // namespace
}  // namespace localsgd
