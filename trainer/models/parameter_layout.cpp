#include "models/parameter_layout.h"

#include <set>

namespace localsgd {
namespace {

bool is_normalisation(torch::nn::Module& m) {
  return m.as<torch::nn::BatchNorm1d>() || m.as<torch::nn::BatchNorm2d>() || m.as<torch::nn::BatchNorm3d>() ||
         m.as<torch::nn::GroupNorm>() || m.as<torch::nn::LayerNorm>() || m.as<torch::nn::InstanceNorm2d>();
}

}  // namespace

ParameterLayout ParameterLayout::of(torch::nn::Module& model) {
  std::set<const void*> norm_parameters;
  for (auto& module : model.modules(/*include_self=*/false))
    if (is_normalisation(*module))
      for (const auto& p : module->parameters(/*recurse=*/false)) norm_parameters.insert(p.unsafeGetTensorImpl());
  ParameterLayout layout;
  for (const auto& p : model.named_parameters()) {
    ParameterSlot slot;
    slot.name = p.key();
    slot.offset = layout.size_;
    slot.numel = p.value().numel();
    slot.shape = p.value().sizes().vec();
    const std::string leaf = slot.name.substr(slot.name.rfind('.') + 1);
    const bool is_bias = leaf.rfind("bias", 0) == 0;
    if (norm_parameters.count(p.value().unsafeGetTensorImpl()))
      slot.role = is_bias ? ParameterRole::kNormShift : ParameterRole::kNormScale;
    else
      slot.role = is_bias ? ParameterRole::kBias : ParameterRole::kWeight;
    layout.size_ += slot.numel;
    layout.slots_.push_back(std::move(slot));
  }
  return layout;
}

torch::Tensor ParameterLayout::mask(const std::function<bool(const ParameterSlot&)>& select) const {
  std::vector<torch::Tensor> pieces;
  for (const auto& slot : slots_) pieces.push_back(torch::full({slot.numel}, select(slot) ? 1.0f : 0.0f));
  return pieces.empty() ? torch::zeros({0}) : torch::cat(pieces);
}

}  // namespace localsgd
