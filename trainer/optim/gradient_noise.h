// Defines GradientNoise: gradient-noise injection (Neelakantan et al. 2015), the alternative to
// local SGD that Lin et al.'s Table 14 tests: at step t every worker's gradient gets isotropic
// Gaussian noise of variance
//   σ_t² = η / (1 + t)^γ        (η = [optimizer] noise_eta, γ = noise_gamma; η = 0: none)
// before any exchange. Worker k's noise at step t comes from a generator seeded by (run seed,
// k, t): no two workers share a stream, and a resumed run draws what the whole run would have,
// with no state to save.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace localsgd {

class GradientNoise {
 public:
  GradientNoise(double eta, double gamma, std::uint64_t run_seed) : eta_(eta), gamma_(gamma), seed_(run_seed) {}
  bool enabled() const { return eta_ > 0; }
  static double variance(double eta, double gamma, std::int64_t step);
  // grads: [rows, P], the gradients of workers first_worker, first_worker + 1, ...
  void add(torch::Tensor& grads, std::int64_t step, int first_worker) const;

 private:
  double eta_, gamma_;
  std::uint64_t seed_;
};

}  // namespace localsgd
