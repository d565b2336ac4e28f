#include "communicator.h"

#include <chrono>
#include <stdexcept>

namespace localsgd {

void Communicator::average(torch::Tensor& rows, CommLevel level) {
  if (rows.dim() != 2 || rows.size(0) != local_workers() || !rows.is_contiguous())
    throw std::invalid_argument("Communicator::average expects contiguous [local_workers, n] rows");
  const auto start = std::chrono::steady_clock::now();
  const int g = group_size(level);
  if (g > 1) average_rows(rows, level);
  CommStats& s = stats_[static_cast<int>(level)];
  s.rounds += 1;
  const std::int64_t payload = rows.size(1) * static_cast<std::int64_t>(rows.element_size());
  s.bytes += 2 * (g - 1) * payload / g;
  s.payload_bytes += payload;
  s.modelled_seconds += allreduce_seconds(costs_[static_cast<int>(level)], g, payload);
  s.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void Communicator::global_mean(const torch::Tensor& rows, torch::Tensor& out) {
  torch::NoGradGuard no_grad;
  if (local_workers() == world_size()) {
    ring_order_mean(rows, out);
    return;
  }
  auto copy = rows.clone();  // one worker per process: the collective works in place
  if (world_size() > 1) average_rows(copy, CommLevel::kGlobal);
  out.copy_(copy[0]);
}

void ring_order_mean(const torch::Tensor& rows, torch::Tensor& out) {
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
  out.div_(static_cast<double>(g));
}

SimulatedCommunicator::SimulatedCommunicator(int workers, int block_size)
    : Communicator(block_size == 0 ? workers : block_size), workers_(workers) {
  if (workers < 1) throw std::invalid_argument("SimulatedCommunicator: workers must be >= 1");
  if (this->block_size() < 1 || workers % this->block_size() != 0)
    throw std::invalid_argument("SimulatedCommunicator: block size must divide the number of workers");
}

void SimulatedCommunicator::average_rows(torch::Tensor& rows, CommLevel level) {
  torch::NoGradGuard no_grad;
  const int g = group_size(level);
  if (!mean_.defined() || mean_.numel() != rows.size(1) || mean_.dtype() != rows.dtype())
    mean_ = torch::empty({rows.size(1)}, rows.options());
  for (int first = 0; first < workers_; first += g) {
    auto group = rows.narrow(0, first, g);
    ring_order_mean(group, mean_);
    group.copy_(mean_.unsqueeze(0).expand_as(group));
  }
}

std::unique_ptr<Communicator> make_communicator(int workers, int block_size) {
  return std::make_unique<SimulatedCommunicator>(workers, block_size);
}

}  // namespace localsgd
