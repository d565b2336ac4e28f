// Defines LogisticRegression: one logit z = wᵀx per feature vector x (no bias, as the convex
// problem of Lin et al.'s Figure 6 is posed: the L2-regularised logistic loss of w alone),
// initialised at w = 0, the usual starting point of a convex method (and a deterministic one).
#pragma once

#include <torch/torch.h>

#include "models/model.h"

namespace localsgd {

class LogisticRegression : public Model {
 public:
  explicit LogisticRegression(std::int64_t features);
  torch::Tensor forward(const torch::Tensor& inputs) override;  // [B, d] -> [B, 1]
  void initialise(at::Generator& generator) override;
  std::int64_t multiply_accumulates(const DataShape& shape) const override;

 private:
  torch::Tensor weight_;  // [1, d]
};

}  // namespace localsgd
