// Defines FlatSgd: SGD with (Nesterov) momentum, masked weight decay and, optionally, LARS'
// layer-wise trust ratio, applied to all workers' flat [workers, P] parameter rows at once, with
// PyTorch's update rule:
//   d = g + wd * mask * x;  d *= trust (LARS);  v = mu * v + d;  x -= lr * (nesterov ? d + mu * v : v).
// Each worker has its own momentum row; the sync policy may average or reset them. direction()
// is the update without the step, for the algorithms that send or compress it (sign methods).
#pragma once

#include <torch/torch.h>

#include "config/config.h"
#include "models/parameter_layout.h"
#include "optim/lars.h"

namespace localsgd {

class FlatSgd {
 public:
  FlatSgd(const OptimizerSection& options, const ParameterLayout& layout, std::int64_t workers,
          torch::Device device = torch::kCPU);
  // The update direction of every row for these gradients (advances the momentum); x unchanged.
  const torch::Tensor& direction(const torch::Tensor& params, const torch::Tensor& grads);
  void step(torch::Tensor& params, const torch::Tensor& grads, double lr) {
    torch::NoGradGuard no_grad;
    params.add_(direction(params, grads), -lr);
  }
  torch::Tensor& momentum() { return momentum_; }
  void save(torch::serialize::OutputArchive& archive) const { archive.write("momentum", momentum_); }
  void load(torch::serialize::InputArchive& archive);

 private:
  OptimizerSection options_;
  torch::Tensor decay_;     // [P]: weight_decay * mask
  torch::Tensor momentum_;  // [workers, P]
  torch::Tensor direction_; // [workers, P] scratch
  Lars lars_;
};

// [P]: 1 for weights; for normalisation scales and shifts only if decay_bn; for other biases
// only if decay_bias.
torch::Tensor weight_decay_mask(const ParameterLayout& layout, const OptimizerSection& optimizer);

}  // namespace localsgd
