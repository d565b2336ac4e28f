#include "landscape/interpolation.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <stdexcept>

namespace localsgd::analysis {

namespace {

void blend(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b, double alpha,
           std::vector<torch::Tensor> target, const char* what) {
  if (a.size() != b.size() || a.size() != target.size())
    throw std::invalid_argument(std::string("interpolate: the models have different ") + what);
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].sizes().equals(b[i].sizes()) || !a[i].sizes().equals(target[i].sizes()))
      throw std::invalid_argument(std::string("interpolate: the models have different ") + what);
    if (at::isFloatingType(a[i].scalar_type())) target[i].copy_(a[i] * (1 - alpha) + b[i] * alpha);
    else target[i].copy_(a[i]);
  }
}

}  // namespace

void interpolate_models(Model& a, Model& b, double alpha, Model& target) {
  torch::NoGradGuard no_grad;
  blend(a.parameters(), b.parameters(), alpha, target.parameters(), "parameters");
  blend(a.buffers(), b.buffers(), alpha, target.buffers(), "buffers");
}

int reestimate_norm_statistics(Model& model, const SampleSource& train, std::int64_t samples, std::int64_t batch_size) {
  std::vector<torch::nn::BatchNorm2dImpl*> norms;
  for (const auto& module : model.modules(/*include_self=*/false))
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(module.get())) norms.push_back(bn);
  if (norms.empty()) return 0;
  std::vector<c10::optional<double>> momenta;
  for (auto* bn : norms) {
    momenta.push_back(bn->options.momentum());
    bn->reset_running_stats();
    bn->options.momentum(c10::nullopt);  // a cumulative average over the batches
  }
  const bool was_training = model.is_training();
  model.train();
  {
    torch::NoGradGuard no_grad;
    auto unused = at::make_generator<at::CPUGeneratorImpl>(0);
    const std::int64_t n = samples > 0 ? std::min(samples, train.size()) : train.size();
    const torch::Tensor first = model.parameters().front();
    for (std::int64_t start = 0; start < n; start += batch_size) {
      const Batch batch = train.batch(torch::arange(start, std::min(n, start + batch_size), torch::kLong), false, unused);
      model.forward(batch.inputs.to(first.device(), first.scalar_type()));
    }
  }
  model.train(was_training);
  for (size_t i = 0; i < norms.size(); ++i) norms[i]->options.momentum(momenta[i]);
  return static_cast<int>(norms.size());
}

}  // namespace localsgd::analysis
