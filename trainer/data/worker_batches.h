// Defines WorkerBatches: one worker's training batches: its sample indices (its shard of each
// epoch's permutation, ShardStream, or draws with replacement from the whole set), its own
// augmentation generator, and its label noise, all derived from (seed, worker) so that no two
// workers share a stream. The shard position and the augmentation generator are part of the run
// state (save/load); draws with replacement and label noise are pure functions of
// (seed, worker, step), so they need none.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "data/sample_source.h"
#include "data/sharding.h"

namespace localsgd {

struct BatchOptions {
  bool augment = true;
  bool with_replacement = false;  // data.sampling = "with-replacement"
  double label_noise = 0;         // data.label_noise
};

class WorkerBatches {
 public:
  WorkerBatches(std::uint64_t seed, int workers, int worker, std::int64_t train_size, BatchOptions options = {});
  // The `batch` samples of this worker's stream for step `step`.
  Batch next(const SampleSource& source, std::int64_t batch, std::int64_t step);

  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  torch::Tensor indices(std::int64_t batch, std::int64_t step);
  void add_label_noise(torch::Tensor& targets, std::int64_t classes, std::int64_t step) const;

  std::uint64_t seed_;
  int worker_;
  std::int64_t train_size_;
  BatchOptions options_;
  ShardStream stream_;
  at::Generator augment_;
};

}  // namespace localsgd
