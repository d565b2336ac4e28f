#include "optim/flat_sgd.h"

namespace localsgd {

FlatSgd::FlatSgd(const OptimizerSection& options, const torch::Tensor& decay_mask, std::int64_t workers)
    : options_(options) {
  decay_ = decay_mask * options.weight_decay;
  momentum_ = torch::zeros({workers, decay_mask.numel()}, decay_mask.options());
  direction_ = torch::empty_like(momentum_);
}

void FlatSgd::step(torch::Tensor& params, const torch::Tensor& grads, double lr) {
  torch::NoGradGuard no_grad;
  const double mu = options_.momentum;
  direction_.copy_(params).mul_(decay_).add_(grads);  // d = g + wd * mask * x
  if (mu != 0) {
    momentum_.mul_(mu).add_(direction_);  // starts at zero, so the first v equals d as in PyTorch
    if (options_.nesterov)
      direction_.add_(momentum_, mu);
    else
      direction_.copy_(momentum_);
  }
  params.add_(direction_, -lr);
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
