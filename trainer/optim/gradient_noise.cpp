#include "optim/gradient_noise.h"

#include <cmath>

#include "util/step_generator.h"

namespace localsgd {

double GradientNoise::variance(double eta, double gamma, std::int64_t step) {
  return eta / std::pow(1.0 + static_cast<double>(step), gamma);
}

void GradientNoise::add(torch::Tensor& grads, std::int64_t step, int first_worker) const {
  if (!enabled()) return;
  torch::NoGradGuard no_grad;
  const double sigma = std::sqrt(variance(eta_, gamma_, step));
  const auto cpu = grads.options().device(torch::kCPU);
  for (std::int64_t r = 0; r < grads.size(0); ++r) {
    auto generator = step_generator(seed_, SeedStream::kGradientNoise, first_worker + static_cast<int>(r), step);
    grads[r].add_(torch::randn({grads.size(1)}, generator, cpu).to(grads.device()), sigma);
  }
}

}  // namespace localsgd
