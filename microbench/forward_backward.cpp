#include "forward_backward.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>

#include "data/dataset.h"
#include "median.h"
#include "models/model_registry.h"
#include "util/seeding.h"

namespace localsgd {
namespace {

double one_iteration(Model& model, const torch::Tensor& images, const torch::Tensor& labels) {
  const auto start = std::chrono::steady_clock::now();
  model.zero_grad();
  torch::nn::functional::cross_entropy(model.forward(images), labels).backward();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::vector<ForwardBackwardTime> time_forward_backward(const RunConfig& config, const std::vector<std::int64_t>& batches,
                                                       int warmup, int min_iterations, double min_seconds) {
  const ImageShape shape = image_shape(config.data.dataset);
  const ModelPtr model = make_model(config, shape);
  model->train();
  // Synthetic inputs: only their shape matters to the time (the weights keep their default init).
  auto generator = at::make_generator<at::CPUGeneratorImpl>(derive_seed(config.run.seed, SeedStream::kModelInit));
  std::vector<ForwardBackwardTime> out;
  for (const std::int64_t batch : batches) {
    const auto images = torch::randn({batch, shape.channels, shape.height, shape.width}, generator);
    const auto labels = torch::randint(shape.num_classes, {batch}, generator, torch::kLong);
    for (int i = 0; i < warmup; ++i) one_iteration(*model, images, labels);
    std::vector<double> seconds;
    double total = 0;
    while (static_cast<int>(seconds.size()) < min_iterations || total < min_seconds) {
      seconds.push_back(one_iteration(*model, images, labels));
      total += seconds.back();
    }
    const auto [low, high] = std::minmax_element(seconds.begin(), seconds.end());
    out.push_back({batch, static_cast<int>(seconds.size()), median(seconds), *low, *high});
  }
  return out;
}

}  // namespace localsgd
