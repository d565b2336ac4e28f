// Defines WorkerBatches: one worker's training batches: its stream of sample indices (its shard
// of each epoch's permutation, ShardStream) and its own augmentation generator, derived from
// (seed, worker) so that no two workers share a stream. Its position and generator state are
// part of the run state (save/load).
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "data/sample_source.h"
#include "data/sharding.h"

namespace localsgd {

class WorkerBatches {
 public:
  WorkerBatches(std::uint64_t seed, int workers, int worker, std::int64_t train_size);
  // The next `batch` samples of this worker's stream, augmented when `augment`.
  Batch next(const SampleSource& source, std::int64_t batch, bool augment);

  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  ShardStream stream_;
  at::Generator augment_;
};

}  // namespace localsgd
