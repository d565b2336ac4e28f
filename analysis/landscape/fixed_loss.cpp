#include "landscape/fixed_loss.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace localsgd::analysis {

namespace {

// Sets the model's mode for a measurement and puts back its mode and buffers (BN running
// statistics move in train mode) when it ends.
class MeasurementMode {
 public:
  MeasurementMode(Model& model, NormStatistics statistics) : model_(model), was_training_(model.is_training()) {
    if (statistics == NormStatistics::kBatch)
      for (const auto& buffer : model.buffers()) saved_.push_back(buffer.clone());
    model.train(statistics == NormStatistics::kBatch);
  }
  ~MeasurementMode() {
    torch::NoGradGuard no_grad;
    if (!saved_.empty()) {
      auto buffers = model_.buffers();
      for (size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(saved_[i]);
    }
    model_.train(was_training_);
  }

 private:
  Model& model_;
  bool was_training_;
  std::vector<torch::Tensor> saved_;
};

std::vector<torch::Tensor> split_like(const torch::Tensor& flat, const std::vector<torch::Tensor>& like) {
  std::vector<torch::Tensor> parts;
  std::int64_t offset = 0;
  for (const auto& p : like) {
    parts.push_back(flat.narrow(0, offset, p.numel()).view(p.sizes()).to(p.options()));
    offset += p.numel();
  }
  return parts;
}

torch::Tensor flatten(const std::vector<torch::Tensor>& parts) {
  std::vector<torch::Tensor> flat;
  for (const auto& p : parts) flat.push_back(p.reshape(-1).to(torch::kDouble));
  return torch::cat(flat);
}

}  // namespace

FixedLoss::FixedLoss(Model& model, const SampleSource& data, const Task& task, std::int64_t samples,
                     std::int64_t batch_size, NormStatistics statistics)
    : model_(model), task_(task), statistics_(statistics), parameters_(model.parameters()) {
  if (batch_size <= 0) throw std::invalid_argument("batch size must be positive");
  samples_ = samples > 0 ? std::min(samples, data.size()) : data.size();
  if (samples_ <= 0) throw std::invalid_argument("no samples to measure the loss on");
  for (const auto& p : parameters_) dimension_ += p.numel();
  const auto& first = parameters_.front();
  auto unused = at::make_generator<at::CPUGeneratorImpl>(0);
  for (std::int64_t start = 0; start < samples_; start += batch_size) {
    Batch batch = data.batch(torch::arange(start, std::min(samples_, start + batch_size), torch::kLong),
                             /*augment=*/false, unused);
    batch.inputs = batch.inputs.to(first.device(), first.scalar_type());
    batch.targets = batch.targets.to(first.device());
    batches_.push_back(std::move(batch));
  }
}

template <typename PerBatch>
void FixedLoss::for_each_batch(bool with_grad, PerBatch&& per_batch) {
  MeasurementMode mode(model_, statistics_);
  torch::AutoGradMode grad_mode(with_grad);
  for (const Batch& batch : batches_) {
    const torch::Tensor outputs = model_.forward(batch.inputs);
    per_batch(outputs, batch.targets, static_cast<double>(batch.targets.size(0)) / samples_);
  }
}

torch::Tensor FixedLoss::parameters() const {
  torch::NoGradGuard no_grad;
  return flatten(parameters_);
}

void FixedLoss::set_parameters(const torch::Tensor& flat) {
  if (flat.numel() != dimension_) throw std::invalid_argument("set_parameters: wrong size");
  torch::NoGradGuard no_grad;
  const auto parts = split_like(flat, parameters_);
  for (size_t i = 0; i < parts.size(); ++i) parameters_[i].copy_(parts[i]);
}

LossValue FixedLoss::value() {
  LossValue v;
  for_each_batch(false, [&](const torch::Tensor& outputs, const torch::Tensor& targets, double) {
    v.loss += task_.loss_sum(outputs, targets);
    v.accuracy += task_.correct(outputs, targets);
  });
  v.loss /= samples_;
  v.accuracy /= samples_;
  return v;
}

torch::Tensor FixedLoss::gradient(double* loss) {
  std::vector<torch::Tensor> sum;
  double total = 0;
  for_each_batch(true, [&](const torch::Tensor& outputs, const torch::Tensor& targets, double weight) {
    const torch::Tensor batch_loss = task_.loss(outputs, targets) * weight;
    const auto grads = torch::autograd::grad({batch_loss}, parameters_, {}, false, false, /*allow_unused=*/true);
    total += batch_loss.item<double>();
    for (size_t i = 0; i < grads.size(); ++i) {
      const torch::Tensor g = grads[i].defined() ? grads[i].detach() : torch::zeros_like(parameters_[i]);
      if (sum.size() <= i) sum.push_back(g.clone());
      else sum[i].add_(g);
    }
  });
  if (loss) *loss = total;
  return flatten(sum);
}

torch::Tensor FixedLoss::differenced_product(const torch::Tensor& v) {
  const double v_norm = v.norm().item<double>();
  if (v_norm == 0) return torch::zeros({dimension_}, torch::kDouble);
  const torch::Tensor w = parameters();
  const bool single = parameters_.front().scalar_type() == torch::kFloat;
  const double eps = single ? 1.1920929e-07 : 2.220446049250313e-16;
  const double h = std::cbrt(eps) * std::max(1.0, w.norm().item<double>()) / v_norm;
  set_parameters(w + h * v);
  const torch::Tensor plus = gradient();
  set_parameters(w - h * v);
  const torch::Tensor minus = gradient();
  set_parameters(w);
  return (plus - minus) / (2 * h);
}

torch::Tensor FixedLoss::hessian_vector_product(const torch::Tensor& v) {
  if (v.numel() != dimension_) throw std::invalid_argument("hessian_vector_product: wrong size");
  if (products_method_ == HessianProducts::kFiniteDifferences) {
    ++hessian_products_;
    return differenced_product(v);
  }
  const auto direction = split_like(v, parameters_);
  std::vector<torch::Tensor> sum;
  for_each_batch(true, [&](const torch::Tensor& outputs, const torch::Tensor& targets, double weight) {
    const torch::Tensor batch_loss = task_.loss(outputs, targets) * weight;
    // Double backward: the gradient with its graph, its inner product with v, that product's gradient.
    const auto grads = torch::autograd::grad({batch_loss}, parameters_, {}, true, /*create_graph=*/true, true);
    torch::Tensor inner = torch::zeros({}, batch_loss.options());
    for (size_t i = 0; i < grads.size(); ++i)
      if (grads[i].defined()) inner = inner + (grads[i] * direction[i]).sum();
    std::vector<torch::Tensor> hv(parameters_.size());
    if (inner.requires_grad()) hv = torch::autograd::grad({inner}, parameters_, {}, false, false, true);
    for (size_t i = 0; i < hv.size(); ++i) {
      const torch::Tensor h = hv[i].defined() ? hv[i].detach() : torch::zeros_like(parameters_[i]);
      if (sum.size() <= i) sum.push_back(h.clone());
      else sum[i].add_(h);
    }
  });
  ++hessian_products_;
  return flatten(sum);
}

}  // namespace localsgd::analysis
