// Defines FlatSgd: SGD with (Nesterov) momentum and masked weight decay applied to all
// workers' flat [workers, P] parameter rows at once, with PyTorch's update rule:
//   d = g + wd * mask * x;  v = mu * v + d;  x -= lr * (nesterov ? d + mu * v : v).
// Each worker has its own momentum row; the sync policy may average or reset them.
#pragma once

#include <torch/torch.h>

#include "config/config.h"
#include "models/parameter_layout.h"

namespace localsgd {

class FlatSgd {
 public:
  // decay_mask: [P], 1 where weight decay applies.
  FlatSgd(const OptimizerSection& options, const torch::Tensor& decay_mask, std::int64_t workers);
  void step(torch::Tensor& params, const torch::Tensor& grads, double lr);
  torch::Tensor& momentum() { return momentum_; }
  void save(torch::serialize::OutputArchive& archive) const { archive.write("momentum", momentum_); }
  void load(torch::serialize::InputArchive& archive);

 private:
  OptimizerSection options_;
  torch::Tensor decay_;     // [P]: weight_decay * mask
  torch::Tensor momentum_;  // [workers, P]
  torch::Tensor direction_; // [workers, P] scratch
};

// [P]: 1 for weights; for normalisation scales and shifts only if decay_bn; for other biases
// only if decay_bias.
torch::Tensor weight_decay_mask(const ParameterLayout& layout, const OptimizerSection& optimizer);

}  // namespace localsgd
