#include "data/worker_batches.h"

#include <ATen/CPUGeneratorImpl.h>

#include "util/seeding.h"
#include "util/step_generator.h"

namespace localsgd {

WorkerBatches::WorkerBatches(std::uint64_t seed, int workers, int worker, std::int64_t train_size,
                             BatchOptions options)
    : seed_(seed),
      worker_(worker),
      train_size_(train_size),
      options_(options),
      stream_(seed, workers, worker, train_size),
      augment_(at::make_generator<at::CPUGeneratorImpl>(derive_seed(seed, SeedStream::kAugment, worker))) {}

torch::Tensor WorkerBatches::indices(std::int64_t batch, std::int64_t step) {
  if (!options_.with_replacement) return stream_.next(batch);
  auto generator = step_generator(seed_, SeedStream::kSampling, worker_, step);
  return torch::randint(train_size_, {batch}, generator, torch::kLong);
}

void WorkerBatches::add_label_noise(torch::Tensor& targets, std::int64_t classes, std::int64_t step) const {
  auto generator = step_generator(seed_, SeedStream::kLabelNoise, worker_, step);
  const auto n = targets.size(0);
  const auto flip = torch::rand({n}, generator, torch::kDouble) < options_.label_noise;
  const auto drawn = torch::randint(classes, {n}, generator, targets.options());
  targets = torch::where(flip, drawn, targets);
}

Batch WorkerBatches::next(const SampleSource& source, std::int64_t batch, std::int64_t step) {
  Batch out = source.batch(indices(batch, step), options_.augment, augment_);
  if (options_.label_noise > 0) add_label_noise(out.targets, source.shape().num_classes, step);
  return out;
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
