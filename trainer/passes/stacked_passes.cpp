#include "passes/stacked_passes.h"

#include <stdexcept>
#include <string>

#include "models/model_registry.h"

namespace localsgd {
namespace {

// For tensors whose replica-k copy sits at columns [offset, offset + n) of row k of a flat
// [K, total] buffer, and whose stacked copy is the K copies one after another: the flat index of
// every element of the stacked tensors, in order.
torch::Tensor stacked_index(const std::vector<torch::Tensor>& stacked, std::int64_t replicas, std::int64_t total) {
  std::vector<torch::Tensor> parts;
  std::int64_t offset = 0;
  for (const auto& t : stacked) {
    const std::int64_t n = t.numel() / replicas;
    const auto rows = torch::arange(replicas, torch::kLong).mul_(total).unsqueeze(1);
    parts.push_back((rows + torch::arange(offset, offset + n, torch::kLong).unsqueeze(0)).flatten());
    offset += n;
  }
  if (offset != total) throw std::logic_error("stacked model: its tensors do not cover the replicas' flat rows");
  return parts.empty() ? torch::empty({0}, torch::kLong) : torch::cat(parts);
}

void check_stacked(const std::vector<torch::Tensor>& stacked, const std::vector<torch::Tensor>& replica,
                   std::int64_t replicas, const char* what) {
  if (stacked.size() != replica.size())
    throw std::logic_error(std::string("stacked model: ") + what + " count differs from the model's");
  for (std::size_t i = 0; i < stacked.size(); ++i)
    if (stacked[i].numel() != replicas * replica[i].numel())
      throw std::logic_error(std::string("stacked model: ") + what + " " + std::to_string(i) +
                             " is not the replicas' copies stacked");
}

}  // namespace

StackedPasses::StackedPasses(const RunConfig& config, const DataShape& shape, Replicas& replicas)
    : stacked_(make_stacked_model(config, shape, replicas.count())) {
  const auto device = replicas.params.device();
  stacked_->to(device);
  stacked_->train();
  const std::int64_t k = replicas.count();
  auto own_params = stacked_->parameters();
  auto own_bn = bn_statistics(*stacked_);
  check_stacked(own_params, replicas.models[0]->parameters(), k, "parameter");
  check_stacked(own_bn, bn_statistics(*replicas.models[0]), k, "BN statistic");
  const auto options = replicas.params.options();
  params_ = torch::empty({1, k * replicas.parameter_count()}, options);
  grads_ = torch::zeros({1, k * replicas.parameter_count()}, options);
  bn_stats_ = torch::empty({1, k * replicas.bn_stats.size(1)}, options);
  bind_to_row(own_params, params_, 0);
  std::int64_t offset = 0;
  for (auto& t : own_params) {  // autograd accumulates into these views in place
    t.mutable_grad() = grads_[0].narrow(0, offset, t.numel()).view(t.sizes());
    offset += t.numel();
  }
  bind_to_row(own_bn, bn_stats_, 0);
  param_index_ = stacked_index(own_params, k, replicas.parameter_count()).to(device);
  bn_index_ = stacked_index(own_bn, k, replicas.bn_stats.size(1)).to(device);
  // oneDNN's grouped convolutions are several times faster on channels-last CPU tensors.
  input_format_ = device.is_cpu() ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
}

std::vector<PassResult> StackedPasses::run(Replicas& replicas, const std::vector<Batch>& batches, const Task& task,
                                           PhaseTimes& times) {
  const std::int64_t k = replicas.count();
  std::vector<PassResult> results(batches.size());
  torch::Tensor outputs, loss;
  std::vector<torch::Tensor> losses(batches.size());
  {
    PhaseTimer timer(times, Phase::kForward);
    {
      torch::NoGradGuard no_grad;
      auto params = params_[0], bn_stats = bn_stats_[0];
      torch::index_select_out(params, replicas.params.view(-1), 0, param_index_);
      torch::index_select_out(bn_stats, replicas.bn_stats.view(-1), 0, bn_index_);
      grads_.zero_();
    }
    std::vector<torch::Tensor> inputs;
    for (const auto& b : batches) inputs.push_back(b.inputs);
    auto x = torch::stack(inputs, 1);  // [B, K, C, H, W]
    x = x.view({x.size(0), k * x.size(2), x.size(3), x.size(4)}).contiguous(input_format_);
    outputs = stacked_->forward(x);  // [K, B, outputs]
    for (std::int64_t r = 0; r < k; ++r) {
      losses[r] = task.loss(outputs[r], batches[r].targets);
      loss = r == 0 ? losses[r] : loss + losses[r];
    }
  }
  {
    PhaseTimer timer(times, Phase::kBackward);
    loss.backward();
    torch::NoGradGuard no_grad;
    replicas.grads.view(-1).index_copy_(0, param_index_, grads_[0]);
    replicas.bn_stats.view(-1).index_copy_(0, bn_index_, bn_stats_[0]);
  }
  const auto detached = outputs.detach();
  for (std::int64_t r = 0; r < k; ++r) {
    results[r].loss = losses[r].item<double>();
    results[r].correct = task.correct(detached[r], batches[r].targets);
  }
  return results;
}

}  // namespace localsgd
