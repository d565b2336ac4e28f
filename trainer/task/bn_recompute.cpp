#include "task/bn_recompute.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <vector>

#include "util/seeding.h"

namespace localsgd {
namespace {

// BN layers of every dimension share NormImplBase's options and reset_running_stats().
template <class Layer>
bool reset_for_average(torch::nn::Module& module, std::vector<std::pair<Layer*, c10::optional<double>>>& saved) {
  auto* layer = module.as<Layer>();
  if (!layer) return false;
  saved.emplace_back(layer, layer->options.momentum());
  layer->options.momentum(c10::nullopt);  // a cumulative average over the batches that follow
  layer->reset_running_stats();
  return true;
}

}  // namespace

void recompute_bn_statistics(Model& model, const SampleSource& train, std::int64_t batches,
                             std::int64_t batch_size, std::uint64_t seed) {
  if (batches <= 0) return;
  torch::NoGradGuard no_grad;
  std::vector<std::pair<torch::nn::BatchNorm1dImpl*, c10::optional<double>>> saved1;
  std::vector<std::pair<torch::nn::BatchNorm2dImpl*, c10::optional<double>>> saved2;
  std::vector<std::pair<torch::nn::BatchNorm3dImpl*, c10::optional<double>>> saved3;
  for (const auto& module : model.modules(/*include_self=*/false))
    reset_for_average(*module, saved1) || reset_for_average(*module, saved2) || reset_for_average(*module, saved3);

  auto generator = at::detail::createCPUGenerator(derive_seed(seed, SeedStream::kBnRecompute));
  const auto order = torch::randperm(train.size(), generator, torch::kLong);
  const std::int64_t n = std::min(train.size(), batches * batch_size);
  const bool was_training = model.is_training();
  model.train();
  const auto device = model.parameters().front().device();
  auto unused = at::make_generator<at::CPUGeneratorImpl>(0);
  for (std::int64_t start = 0; start < n; start += batch_size) {
    const Batch batch = train.batch(order.narrow(0, start, std::min(batch_size, n - start)), false, unused);
    model.forward(batch.inputs.to(device));
  }
  model.train(was_training);
  for (auto& [layer, momentum] : saved1) layer->options.momentum(momentum);
  for (auto& [layer, momentum] : saved2) layer->options.momentum(momentum);
  for (auto& [layer, momentum] : saved3) layer->options.momentum(momentum);
}

}  // namespace localsgd
