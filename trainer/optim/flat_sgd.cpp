#include "optim/flat_sgd.h"

namespace localsgd {

FlatSgd::FlatSgd(const OptimizerSection& options, const ParameterLayout& layout, std::int64_t workers,
                 torch::Device device)
    : options_(options),
      decay_((weight_decay_mask(layout, options) * options.weight_decay).to(device)),
      lars_(options.lars_coefficient, layout, decay_) {
  momentum_ = torch::zeros({workers, layout.size()}, decay_.options());
  direction_ = torch::empty_like(momentum_);
}

const torch::Tensor& FlatSgd::direction(const torch::Tensor& params, const torch::Tensor& grads) {
  torch::NoGradGuard no_grad;
  const double mu = options_.momentum;
  direction_.copy_(params).mul_(decay_).add_(grads);  // d = g + wd * mask * x
  lars_.scale(direction_, params, grads);
  if (mu != 0) {
    momentum_.mul_(mu).add_(direction_);  // starts at zero, so the first v equals d as in PyTorch
    if (options_.nesterov)
      direction_.add_(momentum_, mu);
    else
      direction_.copy_(momentum_);
  }
  return direction_;
}

void FlatSgd::load(torch::serialize::InputArchive& archive) {
  torch::Tensor saved;
  archive.read("momentum", saved);
  if (!saved.sizes().equals(momentum_.sizes()))
    throw std::runtime_error("FlatSgd: saved momentum has another shape");
  torch::NoGradGuard no_grad;
  momentum_.copy_(saved);
}

torch::Tensor weight_decay_mask(const ParameterLayout& layout, const OptimizerSection& optimizer) {
  return layout.mask([&](const ParameterSlot& slot) {
    if (slot.is_normalisation()) return optimizer.decay_bn;
    return slot.role == ParameterRole::kBias ? optimizer.decay_bias : true;
  });
}

}  // namespace localsgd
