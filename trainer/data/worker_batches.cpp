#include "data/worker_batches.h"

#include <ATen/CPUGeneratorImpl.h>

#include "util/seeding.h"

namespace localsgd {

WorkerBatches::WorkerBatches(std::uint64_t seed, int workers, int worker, std::int64_t train_size)
    : stream_(seed, workers, worker, train_size),
      augment_(at::make_generator<at::CPUGeneratorImpl>(derive_seed(seed, SeedStream::kAugment, worker))) {}

Batch WorkerBatches::next(const SampleSource& source, std::int64_t batch, bool augment) {
  return source.batch(stream_.next(batch), augment, augment_);
}

void WorkerBatches::save(torch::serialize::OutputArchive& archive) const {
  archive.write("position", torch::tensor({stream_.epoch(), stream_.position()}, torch::kLong));
  archive.write("augment_generator", augment_.get_state());
}

void WorkerBatches::load(torch::serialize::InputArchive& archive) {
  torch::Tensor position, generator;
  archive.read("position", position);
  archive.read("augment_generator", generator);
  stream_.restore(position[0].item<std::int64_t>(), position[1].item<std::int64_t>());
  augment_.set_state(generator);
}

}  // namespace localsgd
