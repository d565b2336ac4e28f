#include "optim/lars.h"

namespace localsgd {

Lars::Lars(double coefficient, const ParameterLayout& layout, const torch::Tensor& decay) : coefficient_(coefficient) {
  if (!enabled()) return;
  for (const auto& slot : layout.slots())
    layers_.push_back({slot.offset, slot.numel, slot.numel > 0 ? decay[slot.offset].item<double>() : 0.0});
}

torch::Tensor Lars::trust_ratios(const torch::Tensor& params, const torch::Tensor& grads) const {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> ratios;
  for (const auto& layer : layers_) {
    const auto x_norm = params.narrow(1, layer.offset, layer.numel).norm(2, {1});
    const auto g_norm = grads.narrow(1, layer.offset, layer.numel).norm(2, {1});
    const auto ratio = coefficient_ * x_norm / (g_norm + layer.decay * x_norm);
    ratios.push_back(torch::where((x_norm > 0).logical_and(g_norm > 0), ratio, torch::ones_like(ratio)));
  }
  return ratios.empty() ? torch::ones({params.size(0), 0}, params.options()) : torch::stack(ratios, 1);
}

void Lars::scale(torch::Tensor& direction, const torch::Tensor& params, const torch::Tensor& grads) const {
  if (!enabled()) return;
  const auto ratios = trust_ratios(params, grads);
  for (std::size_t l = 0; l < layers_.size(); ++l)
    direction.narrow(1, layers_[l].offset, layers_[l].numel).mul_(ratios.select(1, l).unsqueeze(1));
}

}  // namespace localsgd
