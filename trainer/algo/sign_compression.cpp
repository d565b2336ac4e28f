#include "algo/sign_compression.h"

namespace localsgd {

torch::Tensor scaled_sign(const torch::Tensor& rows, const ParameterLayout& layout) {
  torch::NoGradGuard no_grad;
  torch::Tensor out = torch::sign(rows);
  for (const auto& slot : layout.slots()) {
    if (slot.numel == 0) continue;
    const auto scale = rows.narrow(1, slot.offset, slot.numel).abs().sum(1, /*keepdim=*/true) /
                       static_cast<double>(slot.numel);
    out.narrow(1, slot.offset, slot.numel).mul_(scale);
  }
  return out;
}

std::int64_t sign_payload_bytes(const ParameterLayout& layout, bool scaled) {
  const std::int64_t bits = (layout.size() + 7) / 8;
  return bits + (scaled ? 4 * static_cast<std::int64_t>(layout.slots().size()) : 0);
}

}  // namespace localsgd
