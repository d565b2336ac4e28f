#include "task/evaluation.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>

namespace localsgd {

LossAccuracy evaluate(Model& model, const SampleSource& data, const Task& task, std::int64_t batch_size,
                      std::int64_t limit) {
  c10::InferenceMode inference;  // no autograd, no version counters: inference as cheap as it gets
  const bool was_training = model.is_training();
  model.eval();
  const std::int64_t n = limit > 0 ? std::min(limit, data.size()) : data.size();
  auto unused = at::make_generator<at::CPUGeneratorImpl>(0);
  const auto device = model.parameters().front().device();
  double loss_sum = 0, correct = 0;
  for (std::int64_t start = 0; start < n; start += batch_size) {
    const auto indices = torch::arange(start, std::min(n, start + batch_size), torch::kLong);
    const Batch batch = data.batch(indices, /*augment=*/false, unused);
    const auto targets = batch.targets.to(device);
    const auto outputs = model.forward(batch.inputs.to(device));
    loss_sum += task.loss_sum(outputs, targets);
    correct += task.correct(outputs, targets);
  }
  model.train(was_training);
  return {loss_sum / n, correct / n};
}

}  // namespace localsgd
