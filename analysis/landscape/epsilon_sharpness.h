// Defines Keskar et al.'s (2017) epsilon-sharpness, their Metric 2.1 in the full space (A = I):
//   phi(x, eps) = 100 (max_{y in C} f(x + y) - f(x)) / (1 + f(x)),
//   C = { y : |y_i| <= eps (|x_i| + 1) },
// the maximum taken inexactly, as theirs, by a few iterations of the bound-constrained L-BFGS-B
// (LBFGS++) minimising -f from y = 0, with the gradient tolerance off (at a minimum the gradient
// is small and the solver would stop at once). The value reported is the largest f met at a
// feasible point, also if the line search gives up.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>

namespace localsgd::analysis {

// f and its gradient at x ([n] double).
using ValueAndGradient = std::function<double(const torch::Tensor& x, torch::Tensor& gradient)>;

struct EpsilonSharpness {
  double sharpness = 0;  // phi, in percent
  double loss = 0, max_loss = 0;
  int iterations = 0, evaluations = 0;  // iterations: -1 if the line search gave up
  torch::Tensor maximiser;  // x + y at the largest loss
};

EpsilonSharpness keskar_sharpness(const ValueAndGradient& f, const torch::Tensor& x, double epsilon,
                                  int iterations = 10);

}  // namespace localsgd::analysis
