#include "task/logistic_objective.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace localsgd {
namespace {

constexpr int kMaxNewtonSteps = 100;
constexpr double kDecrementTolerance = 1e-15;  // half the squared Newton decrement

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Eigen::VectorXd to_vector(const torch::Tensor& t) {
  const auto flat = t.detach().to(torch::kCPU, torch::kDouble).reshape({-1}).contiguous();
  return Eigen::Map<const Eigen::VectorXd>(flat.data_ptr<double>(), flat.numel());
}

// log(1 + exp(−m)), without overflow for large |m|.
double softplus_of_minus(double m) { return m > 0 ? std::log1p(std::exp(-m)) : -m + std::log1p(std::exp(m)); }

double sigmoid(double m) { return m >= 0 ? 1 / (1 + std::exp(-m)) : std::exp(m) / (1 + std::exp(m)); }

}  // namespace

LogisticObjective::LogisticObjective(const torch::Tensor& features, const torch::Tensor& labels, double l2)
    : l2_(l2) {
  const auto x = features.detach().to(torch::kCPU, torch::kDouble).reshape({features.size(0), -1}).contiguous();
  x_ = Eigen::Map<const RowMajor>(x.data_ptr<double>(), x.size(0), x.size(1));
  y_ = to_vector(labels).array() * 2 - 1;
  const double n = static_cast<double>(x_.rows());
  Eigen::VectorXd w = Eigen::VectorXd::Zero(x_.cols());
  double f = value_of(w);
  for (;;) {
    if (newton_steps_ == kMaxNewtonSteps)
      throw std::runtime_error("logistic regression: Newton's method did not reach the minimum within " +
                               std::to_string(kMaxNewtonSteps) + " steps: set optimizer.weight_decay > 0 for a "
                               "strongly convex objective");
    const Eigen::ArrayXd margins = y_.array() * (x_ * w).array();
    const Eigen::ArrayXd s = margins.unaryExpr(&sigmoid);
    // ∇f = −Xᵀ(y (1 − σ(m))) / n + λw;  ∇²f = Xᵀ diag(σ(m)(1 − σ(m)) / n) X + λI.
    const Eigen::VectorXd g = x_.transpose() * (-y_.array() * (1 - s)).matrix() / n + l2_ * w;
    const Eigen::MatrixXd scaled = x_.array().colwise() * (s * (1 - s) / n).sqrt();
    Eigen::MatrixXd hessian = Eigen::MatrixXd::Identity(x_.cols(), x_.cols()) * l2_;
    hessian.selfadjointView<Eigen::Lower>().rankUpdate(scaled.transpose());
    const Eigen::LLT<Eigen::MatrixXd, Eigen::Lower> factor(hessian);
    if (factor.info() != Eigen::Success)
      throw std::runtime_error("logistic regression: the Hessian is singular (a feature is 0 in every sample, or "
                               "the data is separable, and optimizer.weight_decay = 0): set weight_decay > 0");
    const Eigen::VectorXd step = -factor.solve(g);
    const double decrement_sq = -g.dot(step);
    if (decrement_sq / 2 <= kDecrementTolerance) {  // in the quadratic phase: one last full step
      const double last = value_of(w + step);
      if (last <= f) w += step, f = last;
      break;
    }
    double t = 1;
    double next = value_of(w + step);
    while (next > f - 0.25 * t * decrement_sq && t > 1e-12) {  // Armijo backtracking
      t /= 2;
      next = value_of(w + t * step);
    }
    w += t * step;
    f = next;
    ++newton_steps_;
  }
  minimiser_ = w;
  minimum_ = f;
}

double LogisticObjective::value_of(const Eigen::VectorXd& w) const {
  const Eigen::ArrayXd margins = y_.array() * (x_ * w).array();
  return margins.unaryExpr(&softplus_of_minus).mean() + 0.5 * l2_ * w.squaredNorm();
}

double LogisticObjective::value(const torch::Tensor& w) const {
  if (w.numel() != x_.cols())
    throw std::logic_error("LogisticObjective::value: " + std::to_string(w.numel()) + " parameters for " +
                           std::to_string(x_.cols()) + " features");
  return value_of(to_vector(w));
}

torch::Tensor LogisticObjective::minimiser() const {
  return torch::from_blob(const_cast<double*>(minimiser_.data()), {minimiser_.size()}, torch::kDouble).clone();
}

}  // namespace localsgd
