#include "comm/ring_order.h"

namespace localsgd {

void ring_order_reduce(const torch::Tensor& rows, torch::Tensor& out, ReduceOp op) {
  torch::NoGradGuard no_grad;
  const std::int64_t g = rows.size(0), n = rows.size(1);
  std::int64_t offset = 0;
  for (std::int64_t c = 0; c < g; ++c) {
    const std::int64_t length = n / g + (c < n % g ? 1 : 0);
    auto acc = out.narrow(0, offset, length);
    acc.copy_(rows[c].narrow(0, offset, length));
    for (std::int64_t j = 1; j < g; ++j) acc.add_(rows[(c + j) % g].narrow(0, offset, length));
    offset += length;
  }
  if (op == ReduceOp::kMean) out.div_(static_cast<double>(g));
}

void mix_rows_in_order(const std::vector<std::pair<double, torch::Tensor>>& terms, torch::Tensor& out) {
  torch::NoGradGuard no_grad;
  out.copy_(terms.at(0).second).mul_(terms[0].first);
  for (std::size_t k = 1; k < terms.size(); ++k) out.add_(terms[k].second, terms[k].first);
}

}  // namespace localsgd
