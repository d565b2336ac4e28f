#include "comm/straggler_clocks.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "util/seeding.h"

namespace localsgd {

StragglerClocks::StragglerClocks(int workers, double probability, double seconds, std::uint64_t seed)
    : probability_(probability), seconds_(seconds), seed_(seed), clocks_(workers, 0.0) {}

double StragglerClocks::delay(int worker, std::int64_t step) const {
  const std::uint64_t worker_seed = derive_seed(seed_, SeedStream::kStraggler, static_cast<std::uint64_t>(worker));
  const std::uint64_t draw = derive_seed(worker_seed, SeedStream::kStraggler, static_cast<std::uint64_t>(step));
  const double uniform = static_cast<double>(draw) / 9223372036854775808.0;  // draw / 2^63, in [0, 1)
  return uniform < probability_ ? seconds_ : 0.0;
}

void StragglerClocks::advance(std::int64_t step) {
  if (!active()) return;
  for (int k = 0; k < static_cast<int>(clocks_.size()); ++k) clocks_[k] += delay(k, step);
}

void StragglerClocks::synchronise(const WorkerGroups& groups) {
  if (!active()) return;
  for (int g = 0; g < groups.count(); ++g) {
    double latest = 0;
    for (int k : groups.members(g)) latest = std::max(latest, clocks_.at(k));
    for (int k : groups.members(g)) clocks_[k] = latest;
  }
}

void StragglerClocks::synchronise(const MixingMatrix& weights) {
  if (!active()) return;
  const std::vector<double> before = clocks_;
  for (int i = 0; i < weights.workers(); ++i)
    for (int j : weights.neighbours(i)) clocks_[i] = std::max(clocks_[i], before.at(j));
}

double StragglerClocks::seconds() const {
  return clocks_.empty() ? 0.0 : *std::max_element(clocks_.begin(), clocks_.end());
}

torch::Tensor StragglerClocks::to_tensor() const { return torch::tensor(clocks_, torch::kDouble); }

void StragglerClocks::from_tensor(const torch::Tensor& clocks) {
  if (clocks.numel() != static_cast<std::int64_t>(clocks_.size()))
    throw std::runtime_error("StragglerClocks: saved clocks of " + std::to_string(clocks.numel()) +
                             " workers, the run has " + std::to_string(clocks_.size()));
  const auto c = clocks.contiguous();
  clocks_.assign(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}  // namespace localsgd
