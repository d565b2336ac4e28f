// Defines Lars: the layer-wise trust ratio of LARS (You, Gitman, Ginsburg 2017, Algorithm 1),
// which Lin et al.'s Table 5 runs with mini-batch and post-local SGD. Per worker and per layer l
// (a slot of the parameter layout) the update direction d_l = g_l + β_l x_l is scaled by
//   λ_l = η ‖x_l‖ / (‖g_l‖ + β_l ‖x_l‖)
// (η = [optimizer] lars_coefficient, β_l the layer's weight decay), and by 1 where either norm
// is 0 (a zero-initialised layer, a layer without gradient). It reads only the worker's own
// rows, so it needs no exchange. η = 0 turns it off.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "models/parameter_layout.h"

namespace localsgd {

class Lars {
 public:
  // decay: [P], each parameter's weight decay (weight_decay * mask).
  Lars(double coefficient, const ParameterLayout& layout, const torch::Tensor& decay);
  bool enabled() const { return coefficient_ > 0; }
  // direction, params, grads: [workers, P]; scales each row's layers of direction in place.
  void scale(torch::Tensor& direction, const torch::Tensor& params, const torch::Tensor& grads) const;
  // [workers, layers]: the trust ratio of every worker's layers.
  torch::Tensor trust_ratios(const torch::Tensor& params, const torch::Tensor& grads) const;

 private:
  struct Layer {
    std::int64_t offset, numel;
    double decay;
  };
  double coefficient_;
  std::vector<Layer> layers_;
};

}  // namespace localsgd
