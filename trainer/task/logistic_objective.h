// Defines LogisticObjective: L2-regularised logistic regression over a whole training set,
//   f(w) = (1/n) Σ_i log(1 + exp(−y_i x_iᵀw)) + (λ/2) ‖w‖²,   y_i ∈ {−1, +1},
// in double precision, and its minimiser by Newton's method with a backtracking line search
// (Boyd & Vandenberghe, §9.5), stopped after the step at which half the squared Newton
// decrement, an estimate of f(w) − f*, is below 1e-15 (quadratic convergence makes that last
// step exact to rounding): far below the target suboptimality of Figure 6 (0.005), and a
// different algorithm from the SGD it judges. In Eigen (Debian's LibTorch computes double
// products with the reference BLAS, 10x slower for the Hessian XᵀDX).
#pragma once

#include <torch/torch.h>

#include <Eigen/Dense>

#include "task/training_objective.h"

namespace localsgd {

class LogisticObjective : public TrainingObjective {
 public:
  // features: [n, d]; labels: [n] classes 0/1; l2: λ >= 0. Finds the minimiser (for separable
  // data without λ, a point within the tolerance of the infimum 0); throws std::runtime_error
  // when the Hessian is singular (a feature 0 in every sample, without λ) or Newton's method
  // does not converge.
  LogisticObjective(const torch::Tensor& features, const torch::Tensor& labels, double l2);
  double value(const torch::Tensor& w) const override;  // w: [d] or [1, d], any float type
  double minimum() const override { return minimum_; }
  torch::Tensor minimiser() const;  // double [d]
  int newton_steps() const { return newton_steps_; }

 private:
  double value_of(const Eigen::VectorXd& w) const;
  Eigen::MatrixXd x_;  // [n, d]
  Eigen::VectorXd y_;  // [n] in {−1, +1}
  double l2_;
  Eigen::VectorXd minimiser_;
  double minimum_ = 0;
  int newton_steps_ = 0;
};

}  // namespace localsgd
