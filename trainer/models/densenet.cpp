#include "models/densenet.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "config/config_problems.h"
#include "models/model_registry.h"
#include "models/resnet.h"  // conv_multiply_accumulates

namespace localsgd {
namespace {

torch::nn::Conv2d make_conv(std::int64_t in, std::int64_t out, std::int64_t kernel) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).padding(kernel / 2).bias(false));
}

std::int64_t scaled(double base, double width) { return std::max<std::int64_t>(1, std::llround(base * width)); }

}  // namespace

int densenet_layers_per_block(int depth, bool bottleneck) {
  const int per_layer = bottleneck ? 6 : 3;  // convolutions per layer x 3 blocks
  if (depth < 4 + per_layer || (depth - 4) % per_layer != 0) return 0;
  return (depth - 4) / per_layer;
}

DenseNetWidths densenet_widths(const DenseNetOptions& o) {
  return {scaled(o.growth_rate, o.width), scaled(o.bottleneck ? 2.0 * o.growth_rate : 16.0, o.width)};
}

DenseLayerImpl::DenseLayerImpl(std::int64_t in, std::int64_t growth, bool bottleneck) {
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(in));
  if (bottleneck) {
    conv1 = register_module("conv1", make_conv(in, 4 * growth, 1));
    bn2 = register_module("bn2", torch::nn::BatchNorm2d(4 * growth));
    conv2 = register_module("conv2", make_conv(4 * growth, growth, 3));
  } else {
    conv1 = register_module("conv1", make_conv(in, growth, 3));
  }
}

torch::Tensor DenseLayerImpl::forward(const torch::Tensor& x) {
  auto y = conv1(torch::relu(bn1(x)));
  if (conv2) y = conv2(torch::relu(bn2(y)));
  return torch::cat({x, y}, 1);
}

std::int64_t DenseLayerImpl::multiply_accumulates(std::int64_t height, std::int64_t width) const {
  std::int64_t macs = conv_multiply_accumulates(*conv1, height, width);  // padded: same size
  if (conv2) macs += conv_multiply_accumulates(*conv2, height, width);
  return macs;
}

TransitionImpl::TransitionImpl(std::int64_t in, std::int64_t out) {
  bn = register_module("bn", torch::nn::BatchNorm2d(in));
  conv = register_module("conv", make_conv(in, out, 1));
}

torch::Tensor TransitionImpl::forward(const torch::Tensor& x) {
  return torch::avg_pool2d(conv(torch::relu(bn(x))), 2);
}

std::int64_t TransitionImpl::multiply_accumulates(std::int64_t& height, std::int64_t& width) const {
  const std::int64_t macs = conv_multiply_accumulates(*conv, height, width);
  height /= 2;  // 2x2 average pooling, stride 2, no padding
  width /= 2;
  return macs;
}

DenseNetImpl::DenseNetImpl(const DenseNetOptions& opts) : options(opts) {
  const int layers = densenet_layers_per_block(opts.depth, opts.bottleneck);
  if (layers == 0)
    throw std::invalid_argument("DenseNet depth must be " + std::string(opts.bottleneck ? "6n+4" : "3n+4") +
                                " with n >= 1 (got " + std::to_string(opts.depth) + ")");
  if (opts.growth_rate < 1) throw std::invalid_argument("DenseNet growth rate must be >= 1");
  if (!(opts.compression > 0 && opts.compression <= 1))
    throw std::invalid_argument("DenseNet compression must be in (0, 1]");
  const auto widths = densenet_widths(opts);
  std::int64_t channels = widths.initial;
  stem = register_module("stem", make_conv(opts.in_channels, channels, 3));
  for (int b = 0; b < 3; ++b) {
    torch::nn::Sequential block;
    for (int l = 0; l < layers; ++l) {
      block->push_back(DenseLayer(channels, widths.growth, opts.bottleneck));
      channels += widths.growth;
    }
    blocks.push_back(register_module("block" + std::to_string(b + 1), block));
    if (b < 2) {
      // As both papers' code: floor(channels x compression).
      const auto out = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(channels * opts.compression)));
      transitions.push_back(register_module("transition" + std::to_string(b + 1), Transition(channels, out)));
      channels = out;
    }
  }
  final_bn = register_module("final_bn", torch::nn::BatchNorm2d(channels));
  classifier = register_module("classifier", torch::nn::Linear(channels, opts.num_classes));
}

torch::Tensor DenseNetImpl::forward(const torch::Tensor& x) {
  auto y = stem(x);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    y = blocks[b]->forward(y);
    if (b < transitions.size()) y = transitions[b]->forward(y);
  }
  y = torch::relu(final_bn(y));
  y = torch::adaptive_avg_pool2d(y, {1, 1}).flatten(1);
  return classifier(y);
}

std::int64_t DenseNetImpl::multiply_accumulates(std::int64_t height, std::int64_t width) const {
  std::int64_t macs = conv_multiply_accumulates(*stem, height, width);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    for (const auto& layer : *blocks[b]) macs += layer.ptr()->as<DenseLayerImpl>()->multiply_accumulates(height, width);
    if (b < transitions.size()) macs += transitions[b]->multiply_accumulates(height, width);
  }
  return macs + classifier->options.in_features() * classifier->options.out_features();
}

void DenseNetImpl::initialise(at::Generator& generator) { initialise_densenet(*this, generator); }

void initialise_densenet(DenseNetImpl& model, at::Generator& generator) {
  torch::NoGradGuard no_grad;
  for (auto& module : model.modules(/*include_self=*/false)) {
    if (auto* c = module->as<torch::nn::Conv2d>()) {
      // normal(0, sqrt(2 / (kh x kw x out_channels))), as both papers' code.
      const auto& w = c->weight;  // [out, in, kh, kw]
      w.normal_(0.0, std::sqrt(2.0 / static_cast<double>(w.size(0) * w.size(2) * w.size(3))), generator);
    } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
      bn->weight.fill_(1.0);
      bn->bias.zero_();
    } else if (auto* fc = module->as<torch::nn::Linear>()) {
      // Their code keeps PyTorch's default weight, U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform
      // with a = sqrt(5)); drawn here from `generator`. Bias 0, as their code sets it.
      const double bound = 1.0 / std::sqrt(static_cast<double>(fc->weight.size(1)));
      fc->weight.uniform_(-bound, bound, generator);
      fc->bias.zero_();
    }
  }
}

ModelKind densenet_model_kind() {
  KindSchema schema;
  schema.name = "densenet";
  schema.summary = "CIFAR DenseNet of Huang et al. (2017), depth 3n+4 (6n+4 with bottleneck), e.g. "
                   "DenseNet-40-12; growth rate k, width multiplier on k and the first convolution";
  schema.keys = {"model.depth"};  // shared with resnet
  schema.options = std::make_shared<OptionsOf<DenseNetKeys>>();
  schema.check = [](const RunConfig& c, KeyChecker& check) {
    const auto keys = options_for<DenseNetKeys>(c, "model", "densenet");
    const std::string got = " (got " + std::to_string(c.model.depth) +
                            (check.present("model.depth") ? "" : ", the default, which is ResNet-20's") + ")";
    if (densenet_layers_per_block(c.model.depth, keys.bottleneck) == 0) {
      if (keys.bottleneck)
        check.clash({"model.depth", "model.bottleneck"},
                    "depth must be 6n+4 with n >= 1 when bottleneck = true (n bottleneck layers per "
                    "dense block), e.g. 100 for DenseNet-BC-100" + got);
      else
        check.fail("model.depth", "must be 3n+4 with n >= 1 (n layers per dense block), e.g. 40 for "
                                  "DenseNet-40" + got);
    }
    if (keys.growth_rate < 1)
      check.fail("model.growth_rate", "must be >= 1 (got " + std::to_string(keys.growth_rate) + ")");
    if (!(keys.compression > 0 && keys.compression <= 1))
      check.fail("model.compression", "must be in (0, 1] (got " + config_detail::format_number(keys.compression) + ")");
  };
  auto make = [](const RunConfig& c, const DataShape& shape) -> ModelPtr {
    const auto keys = options_for<DenseNetKeys>(c, "model", "densenet");
    DenseNetOptions options;
    options.depth = c.model.depth;
    options.width = c.model.width;
    options.growth_rate = keys.growth_rate;
    options.bottleneck = keys.bottleneck;
    options.compression = keys.compression;
    options.in_channels = shape.channels;
    options.num_classes = shape.num_classes;
    return std::make_shared<DenseNetImpl>(options);
  };
  return {schema, make, nullptr};  // no stacked form yet: run.worker_passes = "stacked" is refused
}

}  // namespace localsgd
