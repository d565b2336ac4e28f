#include "replicas.h"

#include <ATen/CPUGeneratorImpl.h>

#include <set>

namespace localsgd {

ResNet make_model(const ModelSection& model, std::int64_t in_channels, std::int64_t num_classes) {
  ResNetOptions options;
  options.depth = model.depth;
  options.width = model.width;
  options.in_channels = in_channels;
  options.num_classes = num_classes;
  return ResNet(options);
}

std::int64_t bind_to_row(const std::vector<torch::Tensor>& tensors, const torch::Tensor& flat,
                         std::int64_t row) {
  torch::NoGradGuard no_grad;
  std::int64_t offset = 0;
  for (const auto& t : tensors) {
    auto view = flat[row].narrow(0, offset, t.numel()).view(t.sizes());
    view.copy_(t);
    t.set_data(view);  // the module's tensor now lives in the flat row
    offset += t.numel();
  }
  return offset;
}

std::vector<torch::Tensor> bn_statistics(torch::nn::Module& model) {
  std::vector<torch::Tensor> stats;
  for (const auto& item : model.named_buffers())
    if (item.value().is_floating_point()) stats.push_back(item.value());
  return stats;
}

torch::Tensor weight_decay_mask(torch::nn::Module& model, const OptimizerSection& optimizer) {
  std::set<const void*> bn_parameters;
  for (auto& module : model.modules(/*include_self=*/false))
    if (module->as<torch::nn::BatchNorm2d>())
      for (const auto& p : module->parameters(/*recurse=*/false)) bn_parameters.insert(p.unsafeGetTensorImpl());
  std::vector<torch::Tensor> pieces;
  for (const auto& p : model.named_parameters()) {
    const bool is_bn = bn_parameters.count(p.value().unsafeGetTensorImpl()) > 0;
    const bool is_bias = p.value().dim() == 1;  // conv/linear biases and BN affine terms
    const bool decays = is_bn ? optimizer.decay_bn : (!is_bias || optimizer.decay_bias);
    pieces.push_back(torch::full({p.value().numel()}, decays ? 1.0f : 0.0f));
  }
  return torch::cat(pieces);
}

Replicas::Replicas(const ModelSection& model, std::int64_t in_channels, std::int64_t num_classes,
                   int count, std::uint64_t init_seed, torch::Device device) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(init_seed);
  for (int k = 0; k < count; ++k) {
    models.push_back(make_model(model, in_channels, num_classes));
    if (k == 0) initialise_resnet(*models[0], generator);  // on the CPU: the same numbers everywhere
    models[k]->to(device);
  }
  std::int64_t p = 0, s = 0;
  for (const auto& t : models[0]->parameters()) p += t.numel();
  for (const auto& t : bn_statistics(*models[0])) s += t.numel();
  const auto options = torch::TensorOptions().dtype(torch::get_default_dtype()).device(device);
  params = torch::empty({count, p}, options);
  grads = torch::zeros({count, p}, options);
  bn_stats = torch::empty({count, s}, options);
  for (int k = 0; k < count; ++k) {
    auto own_params = models[k]->parameters();
    bind_to_row(own_params, params, k);
    std::int64_t offset = 0;
    for (auto& t : own_params) {  // autograd accumulates into these views in place
      t.mutable_grad() = grads[k].narrow(0, offset, t.numel()).view(t.sizes());
      offset += t.numel();
    }
    bind_to_row(bn_statistics(*models[k]), bn_stats, k);
  }
  torch::NoGradGuard no_grad;
  params.copy_(params[0].unsqueeze(0).expand_as(params));  // every worker starts from worker 0
  bn_stats.copy_(bn_stats[0].unsqueeze(0).expand_as(bn_stats));
}

}  // namespace localsgd
