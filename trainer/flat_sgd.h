// Defines FlatSgd: SGD with (Nesterov) momentum and masked weight decay applied to all
// workers' flat [workers, P] parameter rows at once, with PyTorch's update rule:
//   d = g + wd * mask * x;  v = mu * v + d;  x -= lr * (nesterov ? d + mu * v : v).
// Each worker has its own momentum row; the sync policy may average or reset them.
#pragma once

#include <torch/torch.h>

#include "config.h"

namespace localsgd {

class FlatSgd {
 public:
  // decay_mask: [P], 1 where weight decay applies.
  FlatSgd(const OptimizerSection& options, const torch::Tensor& decay_mask, std::int64_t workers);
  void step(torch::Tensor& params, const torch::Tensor& grads, double lr);
  torch::Tensor& momentum() { return momentum_; }

 private:
  OptimizerSection options_;
  torch::Tensor decay_;     // [P]: weight_decay * mask
  torch::Tensor momentum_;  // [workers, P]
  torch::Tensor direction_; // [workers, P] scratch
};

}  // namespace localsgd
