// Shared test helpers: a small learnable synthetic image set, a quick trainer config on it,
// a module's parameter count, the largest absolute difference between two tensors, and a
// float64 scope.
#pragma once

#include <torch/torch.h>

#include "config/config.h"
#include "data/dataset.h"

namespace localsgd::testing {

// n images 1x12x12 of class c = (bright quadrant index) with noise: learnable, deterministic.
inline Dataset synthetic_images(std::int64_t n, std::uint64_t seed) {
  torch::manual_seed(seed);
  Dataset d;
  d.labels = torch::randint(0, 4, {n}, torch::kLong);
  auto images = torch::randint(0, 64, {n, 1, 12, 12}, torch::kLong);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t c = d.labels[i].item<std::int64_t>();
    images[i].narrow(1, (c / 2) * 6, 6).narrow(2, (c % 2) * 6, 6).add_(150);
  }
  d.images = images.to(torch::kUInt8);
  d.num_classes = 4;
  d.mean = {0.3f};
  d.std = {0.3f};
  return d;
}

inline std::int64_t count_parameters(torch::nn::Module& m) {
  std::int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

inline TrainTestData synthetic_data(std::int64_t train = 1600, std::int64_t test = 200) {
  return {synthetic_images(train, 11), synthetic_images(test, 12)};
}

// A narrow ResNet-8 with Nesterov momentum and weight decay at a constant LR, 8 samples per worker.
inline RunConfig quick_config(const std::string& kind, int workers, std::int64_t local_steps) {
  RunConfig c;
  c.run.seed = 5;
  c.run.epochs = 1;
  c.run.eval_every_epochs = 1;
  c.model.depth = 8;
  c.model.width = 0.25;
  c.algorithm.kind = kind;
  c.algorithm.workers = workers;
  c.algorithm.local_batch = 8;
  c.algorithm.local_steps = local_steps;
  c.optimizer.lr = 0.05;
  c.optimizer.base_batch = 8 * workers;  // no LR scaling: the same LR for every K
  c.optimizer.momentum = 0.9;
  c.optimizer.nesterov = true;
  c.optimizer.weight_decay = 5e-4;
  c.schedule.warmup_epochs = 0;
  c.schedule.decay_factor = 1.0;
  return c;
}

// Runs a test body with float64 as LibTorch's default dtype: models and flat buffers follow it.
class Float64Scope {
 public:
  Float64Scope() : saved_(torch::get_default_dtype()) { torch::set_default_dtype(caffe2::TypeMeta::Make<double>()); }
  ~Float64Scope() { torch::set_default_dtype(saved_); }

 private:
  caffe2::TypeMeta saved_;
};

inline double max_abs_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

}  // namespace localsgd::testing
