// Implements epoch_shard and ShardStream: per-epoch global permutations from
// derive_seed(seed, kEpochOrder, epoch), cut into K near-equal contiguous shards.
#include "data/sharding.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/seeding.h"

namespace localsgd {
namespace {

void check_split(int workers, int worker, std::int64_t n) {
  if (workers < 1) {
    throw std::invalid_argument("sharding: workers must be >= 1, got " + std::to_string(workers));
  }
  if (worker < 0 || worker >= workers) {
    throw std::invalid_argument("sharding: worker must be in [0, " + std::to_string(workers) +
                                "), got " + std::to_string(worker));
  }
  if (n < workers) {
    throw std::invalid_argument("sharding: need at least one sample per worker, got n = " +
                                std::to_string(n) + " for " + std::to_string(workers) + " workers");
  }
}

}  // namespace

torch::Tensor epoch_shard(std::uint64_t seed, std::int64_t epoch, int workers, int worker,
                          std::int64_t n) {
  check_split(workers, worker, n);
  if (epoch < 0) throw std::invalid_argument("sharding: epoch must be >= 0, got " + std::to_string(epoch));
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(
      derive_seed(seed, SeedStream::kEpochOrder, static_cast<std::uint64_t>(epoch)));
  torch::Tensor perm = torch::randperm(n, generator, torch::kLong);
  // The first n % K shards get one extra sample.
  const std::int64_t base = n / workers, extra = n % workers;
  const std::int64_t start = worker * base + std::min<std::int64_t>(worker, extra);
  const std::int64_t size = base + (worker < extra ? 1 : 0);
  return perm.narrow(0, start, size).clone();
}

ShardStream::ShardStream(std::uint64_t seed, int workers, int worker, std::int64_t n)
    : seed_(seed), workers_(workers), worker_(worker), n_(n) {
  check_split(workers, worker, n);
}

void ShardStream::restore(std::int64_t epoch, std::int64_t position) {
  if (epoch < 0 || position < 0) throw std::invalid_argument("ShardStream::restore: negative epoch or position");
  epoch_ = epoch;
  position_ = position;
  shard_ = torch::Tensor();
}

torch::Tensor ShardStream::next(std::int64_t batch) {
  if (batch < 1) {
    throw std::invalid_argument("ShardStream::next: batch must be >= 1, got " + std::to_string(batch));
  }
  std::vector<torch::Tensor> pieces;
  std::int64_t remaining = batch;
  while (remaining > 0) {
    // The shard is drawn lazily, once per epoch, when its first index is needed.
    if (!shard_.defined()) shard_ = epoch_shard(seed_, epoch_, workers_, worker_, n_);
    const std::int64_t take = std::min(remaining, shard_.size(0) - position_);
    pieces.push_back(shard_.narrow(0, position_, take));
    position_ += take;
    remaining -= take;
    if (position_ == shard_.size(0)) {  // shard exhausted: the next index is in the next epoch
      ++epoch_;
      position_ = 0;
      shard_ = torch::Tensor();
    }
  }
  return pieces.size() == 1 ? pieces[0].clone() : torch::cat(pieces);
}

}  // namespace localsgd
