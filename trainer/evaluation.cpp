#include "evaluation.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>

#include "augment.h"

namespace localsgd {

LossAccuracy evaluate(ResNetImpl& model, const Dataset& data, std::int64_t batch_size, std::int64_t limit) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const std::int64_t n = limit > 0 ? std::min(limit, data.size()) : data.size();
  auto unused = at::make_generator<at::CPUGeneratorImpl>(0);
  double loss_sum = 0;
  std::int64_t correct = 0;
  for (std::int64_t start = 0; start < n; start += batch_size) {
    const auto indices = torch::arange(start, std::min(n, start + batch_size), torch::kLong);
    const Batch batch = make_batch(data, indices, /*augment=*/false, unused);
    const auto device = model.parameters().front().device();
    const auto targets = batch.targets.to(device);
    const auto logits = model.forward(batch.inputs.to(device));
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, targets,
                    torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    correct += logits.argmax(1).eq(targets).sum().item<std::int64_t>();
  }
  model.train(was_training);
  return {loss_sum / n, static_cast<double>(correct) / n};
}

}  // namespace localsgd
