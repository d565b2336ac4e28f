#include "comm/communicator.h"

#include <chrono>
#include <stdexcept>

namespace localsgd {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Communicator::Communicator(int workers, int block_size)
    : world_(WorkerGroups::world(workers)), blocks_(WorkerGroups::blocks(workers, block_size)) {}

void Communicator::check_rows(const torch::Tensor& rows, const char* what) const {
  if (rows.dim() != 2 || rows.size(0) != local_workers() || !rows.is_contiguous())
    throw std::invalid_argument(std::string("Communicator::") + what + " expects contiguous [local_workers, n] rows");
}

void Communicator::all_reduce(torch::Tensor& rows, const WorkerGroups& groups, ReduceOp op, CommLevel level,
                              std::int64_t wire_bytes) {
  check_rows(rows, "all_reduce");
  if (groups.workers() != world_size()) throw std::invalid_argument("Communicator::all_reduce: groups of another world");
  const auto start = std::chrono::steady_clock::now();
  const int g = groups.largest();
  if (g > 1) {
    meter_.count_call();
    reduce_rows(rows, groups, op);
  }
  const std::int64_t payload = wire_bytes >= 0 ? wire_bytes : rows.size(1) * static_cast<std::int64_t>(rows.element_size());
  meter_.charge_all_reduce(level, g, payload, seconds_since(start));
  meter_.stragglers().synchronise(groups);
}

void Communicator::mix(torch::Tensor& rows, const MixingMatrix& weights, CommLevel level, std::int64_t wire_bytes) {
  check_rows(rows, "mix");
  if (weights.workers() != world_size()) throw std::invalid_argument("Communicator::mix: weights of another world");
  const auto start = std::chrono::steady_clock::now();
  meter_.count_call();
  mix_rows(rows, weights);
  const std::int64_t payload = wire_bytes >= 0 ? wire_bytes : rows.size(1) * static_cast<std::int64_t>(rows.element_size());
  // Per worker of this process the same degree is assumed for the bytes it sends: the largest.
  std::size_t degree = 0;
  for (int r = 0; r < local_workers(); ++r) degree = std::max(degree, weights.neighbours(first_worker() + r).size());
  meter_.charge_exchange(level, static_cast<int>(degree), payload, seconds_since(start));
  meter_.stragglers().synchronise(weights);
}

void Communicator::global_mean(const torch::Tensor& rows, torch::Tensor& out) {
  torch::NoGradGuard no_grad;
  if (local_workers() == world_size()) {
    ring_order_mean(rows, out);
    return;
  }
  auto copy = rows.clone();  // one worker per process: the collective works in place
  if (world_size() > 1) {
    meter_.count_call();
    reduce_rows(copy, world_, ReduceOp::kMean);
  }
  out.copy_(copy[0]);
}

std::vector<double> Communicator::all_gather(const std::vector<double>& mine) {
  if (local_workers() == world_size()) return mine;
  meter_.count_call();
  return gather_values(mine);
}

SimulatedCommunicator::SimulatedCommunicator(int workers, int block_size)
    : Communicator(workers, block_size == 0 ? workers : block_size), workers_(workers) {}

void SimulatedCommunicator::reduce_rows(torch::Tensor& rows, const WorkerGroups& groups, ReduceOp op) {
  torch::NoGradGuard no_grad;
  if (!scratch_.defined() || scratch_.numel() != rows.size(1) || scratch_.dtype() != rows.dtype())
    scratch_ = torch::empty({rows.size(1)}, rows.options());
  for (int g = 0; g < groups.count(); ++g) {
    const auto& members = groups.members(g);
    if (groups.consecutive_blocks()) {  // a block is a slice: no gather
      auto group = rows.narrow(0, members.front(), static_cast<std::int64_t>(members.size()));
      ring_order_reduce(group, scratch_, op);
      group.copy_(scratch_.unsqueeze(0).expand_as(group));
      continue;
    }
    const auto index = torch::tensor(std::vector<std::int64_t>(members.begin(), members.end()), torch::kLong);
    ring_order_reduce(rows.index_select(0, index), scratch_, op);
    for (int w : members) rows[w].copy_(scratch_);
  }
}

void SimulatedCommunicator::mix_rows(torch::Tensor& rows, const MixingMatrix& weights) {
  torch::NoGradGuard no_grad;
  const auto before = rows.clone();  // every worker mixes the rows as they were
  for (int i = 0; i < workers_; ++i) {
    std::vector<std::pair<double, torch::Tensor>> terms;
    for (const auto& [j, w] : weights.row(i)) terms.emplace_back(w, before[j]);
    auto out = rows[i];
    mix_rows_in_order(terms, out);
  }
}

std::unique_ptr<Communicator> make_communicator(int workers, int block_size) {
  if (workers < 1) throw std::invalid_argument("SimulatedCommunicator: workers must be >= 1");
  if (block_size != 0 && (block_size < 1 || workers % block_size != 0))
    throw std::invalid_argument("SimulatedCommunicator: block size must divide the number of workers");
  return std::make_unique<SimulatedCommunicator>(workers, block_size);
}

}  // namespace localsgd
