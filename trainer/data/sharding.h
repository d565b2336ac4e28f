// Defines how the training set is split among K workers: each epoch a fresh global
// permutation of [0, n) is drawn from (seed, epoch) and cut into K contiguous shards whose
// sizes differ by at most one. Worker k reads its shards epoch after epoch as one stream.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace localsgd {

// int64 indices of worker `worker`'s shard in epoch `epoch` (a pure function).
torch::Tensor epoch_shard(std::uint64_t seed, std::int64_t epoch, int workers, int worker,
                          std::int64_t n);

// Worker k's endless stream of sample indices: its shard of epoch 0, then of epoch 1, ...
// A batch may straddle two epochs, so no sample is skipped.
class ShardStream {
 public:
  ShardStream(std::uint64_t seed, int workers, int worker, std::int64_t n);
  torch::Tensor next(std::int64_t batch);  // int64 [batch]
  std::int64_t epoch() const { return epoch_; }
  std::int64_t position() const { return position_; }  // within the current epoch's shard
  // Continues from (epoch, position), as a saved stream was; the shard is redrawn (a pure function).
  void restore(std::int64_t epoch, std::int64_t position);

 private:
  std::uint64_t seed_;
  int workers_, worker_;
  std::int64_t n_;
  std::int64_t epoch_ = 0;
  std::int64_t position_ = 0;  // within the current shard
  torch::Tensor shard_;
};

}  // namespace localsgd
