#include "task/task.h"

namespace localsgd {

torch::Tensor Classification::loss(const torch::Tensor& outputs, const torch::Tensor& targets) const {
  return torch::nn::functional::cross_entropy(outputs, targets);
}

double Classification::correct(const torch::Tensor& outputs, const torch::Tensor& targets) const {
  return static_cast<double>(outputs.argmax(1).eq(targets).sum().item<std::int64_t>());
}

double Classification::loss_sum(const torch::Tensor& outputs, const torch::Tensor& targets) const {
  namespace F = torch::nn::functional;
  return F::cross_entropy(outputs, targets, F::CrossEntropyFuncOptions().reduction(torch::kSum)).item<double>();
}

}  // namespace localsgd
