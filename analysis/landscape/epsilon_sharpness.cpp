#include "landscape/epsilon_sharpness.h"

#include <Eigen/Core>
#include <LBFGSB.h>

#include <cstring>
#include <stdexcept>

namespace localsgd::analysis {

namespace {

torch::Tensor as_tensor(const Eigen::VectorXd& v) {
  return torch::from_blob(const_cast<double*>(v.data()), {v.size()}, torch::kDouble).clone();
}

}  // namespace

EpsilonSharpness keskar_sharpness(const ValueAndGradient& f, const torch::Tensor& x, double epsilon, int iterations) {
  if (epsilon <= 0) throw std::invalid_argument("sharpness: epsilon must be positive");
  const torch::Tensor x0 = x.to(torch::kDouble).contiguous();
  const Eigen::Index n = x0.numel();
  EpsilonSharpness result;
  torch::Tensor unused;
  result.loss = f(x0, unused);
  result.max_loss = result.loss;
  result.maximiser = x0.clone();
  const Eigen::Map<const Eigen::VectorXd> x_map(x0.data_ptr<double>(), n);
  const Eigen::VectorXd bound = epsilon * (x_map.array().abs() + 1.0).matrix();
  // In y: minimise -f(x0 + y).
  auto negative = [&](const Eigen::VectorXd& y, Eigen::VectorXd& gradient) {
    const torch::Tensor point = x0 + as_tensor(y);
    torch::Tensor g = torch::zeros({n}, torch::kDouble);
    const double value = f(point, g);
    ++result.evaluations;
    if (value > result.max_loss) {
      result.max_loss = value;
      result.maximiser = point;
    }
    const torch::Tensor gc = g.to(torch::kDouble).contiguous();
    gradient = -Eigen::Map<const Eigen::VectorXd>(gc.data_ptr<double>(), n);
    return -value;
  };
  LBFGSpp::LBFGSBParam<double> param;
  param.max_iterations = iterations;
  param.epsilon = 0;
  param.epsilon_rel = 0;
  LBFGSpp::LBFGSBSolver<double> solver(param);
  Eigen::VectorXd y = Eigen::VectorXd::Zero(n);
  double value = 0;
  try {
    result.iterations = solver.minimize(negative, y, value, -bound, bound);
  } catch (const std::exception&) {
    result.iterations = -1;  // the line search gave up: the best point met stands
  }
  result.sharpness = 100 * (result.max_loss - result.loss) / (1 + result.loss);
  return result;
}

}  // namespace localsgd::analysis
