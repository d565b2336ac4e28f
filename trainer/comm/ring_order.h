// Defines ring_order_reduce(): the one summation order every transport reproduces, so that
// simulated and distributed runs compute bit-identical results. The g rows are cut into g chunks
// (sizes differ by at most one, larger first); chunk c is accumulated starting from row c:
// ((x_c + x_{c+1}) + x_{c+2}) + ... + x_{c-1} (indices mod g), as a ring all-reduce adds them,
// then divided by g for a mean. Also mix_rows_in_order(), gossip's fixed order.
#pragma once

#include <torch/torch.h>

#include <utility>
#include <vector>

namespace localsgd {

enum class ReduceOp { kSum, kMean };

// rows: [g, n]; out: [n].
void ring_order_reduce(const torch::Tensor& rows, torch::Tensor& out, ReduceOp op);
inline void ring_order_mean(const torch::Tensor& rows, torch::Tensor& out) {
  ring_order_reduce(rows, out, ReduceOp::kMean);
}

// out = sum_k weight_k x_k over (weight, x) terms in the given order: out = w_0 x_0, then
// out += w_k x_k. Simulated and MPI gossip both call it, so they round alike.
void mix_rows_in_order(const std::vector<std::pair<double, torch::Tensor>>& terms, torch::Tensor& out);

}  // namespace localsgd
