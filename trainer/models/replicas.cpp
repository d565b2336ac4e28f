#include "models/replicas.h"

#include "io/model_file.h"
#include "models/model_registry.h"

#include <ATen/CPUGeneratorImpl.h>


namespace localsgd {

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

Replicas::Replicas(const RunConfig& config, const DataShape& shape, int count, std::uint64_t init_seed,
                   torch::Device device) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(init_seed);
  for (int k = 0; k < count; ++k) {
    models.push_back(make_model(config, shape));
    // On the CPU: the same numbers everywhere. run.init_from replaces the initialisation.
    if (k == 0 && config.run.init_from.empty()) models[0]->initialise(generator);
    if (k == 0 && !config.run.init_from.empty()) {
      try {
        load_model(*models[0], config.run.init_from);
      } catch (const std::runtime_error& e) {
        throw ConfigError(std::string("run.init_from: ") + e.what());
      }
    }
    models[k]->to(device);
  }
  layout = ParameterLayout::of(*models[0]);
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
