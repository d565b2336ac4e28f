#include <ATen/CPUGeneratorImpl.h>

#include "task/logistic_objective.h"
#include "task/task.h"

namespace localsgd {
namespace {

// outputs: [B, 1] or [B] logits; targets: classes 0/1 -> margins y z with y = ±1.
torch::Tensor margins(const torch::Tensor& outputs, const torch::Tensor& targets) {
  return outputs.reshape({-1}) * (targets.to(outputs.scalar_type()) * 2 - 1);
}

}  // namespace

torch::Tensor BinaryLogistic::loss(const torch::Tensor& outputs, const torch::Tensor& targets) const {
  return torch::softplus(-margins(outputs, targets)).mean();
}

double BinaryLogistic::correct(const torch::Tensor& outputs, const torch::Tensor& targets) const {
  return static_cast<double>(outputs.reshape({-1}).gt(0).eq(targets.to(torch::kBool)).sum().item<std::int64_t>());
}

double BinaryLogistic::loss_sum(const torch::Tensor& outputs, const torch::Tensor& targets) const {
  return torch::softplus(-margins(outputs, targets)).to(torch::kDouble).sum().item<double>();
}

std::unique_ptr<TrainingObjective> BinaryLogistic::training_objective(const SampleSource& train, double l2) const {
  auto unused = at::make_generator<at::CPUGeneratorImpl>(0);
  const Batch all = train.batch(torch::arange(train.size(), torch::kLong), /*augment=*/false, unused);
  return std::make_unique<LogisticObjective>(all.inputs, all.targets, l2);
}

}  // namespace localsgd
