#include "landscape/directions.h"

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>

namespace localsgd::analysis {

torch::Tensor filter_normalised_direction(const ParameterLayout& layout, const torch::Tensor& weights,
                                          std::uint64_t seed) {
  if (weights.numel() != layout.size()) throw std::invalid_argument("direction: weights do not fit the layout");
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  torch::Tensor direction = torch::zeros({layout.size()}, torch::kDouble);
  const torch::Tensor w = weights.to(torch::kDouble);
  for (const ParameterSlot& slot : layout.slots()) {
    // Drawn for every slot, so that one slot's role does not shift another's numbers.
    const torch::Tensor d = torch::randn({slot.numel}, generator, torch::kDouble);
    if (slot.role != ParameterRole::kWeight || slot.shape.size() <= 1) continue;
    const std::int64_t filters = slot.shape[0];
    const torch::Tensor d_filters = d.view({filters, -1});
    const torch::Tensor w_filters = w.narrow(0, slot.offset, slot.numel).view({filters, -1});
    const torch::Tensor scale = w_filters.norm(2, {1}, true) / (d_filters.norm(2, {1}, true) + 1e-10);
    direction.narrow(0, slot.offset, slot.numel).copy_((d_filters * scale).reshape(-1));
  }
  return direction;
}

}  // namespace localsgd::analysis
