#include "models/resnet.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "config/config_problems.h"
#include "models/model_registry.h"

namespace localsgd {
namespace {

// `replicas` > 1: one group per replica, each with in -> out channels.
torch::nn::Conv2d conv(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride,
                       std::int64_t replicas = 1) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in * replicas, out * replicas, kernel)
                               .stride(stride)
                               .padding(kernel / 2)
                               .groups(replicas)
                               .bias(false));
}

}  // namespace

std::array<std::int64_t, 3> resnet_stage_widths(double width) {
  std::array<std::int64_t, 3> widths{};
  const std::array<double, 3> base{16, 32, 64};
  for (int i = 0; i < 3; ++i)
    widths[i] = std::max<std::int64_t>(1, std::llround(base[i] * width));
  return widths;
}

BasicBlockImpl::BasicBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride, std::int64_t replicas) {
  conv1 = register_module("conv1", conv(in, out, 3, stride, replicas));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(out * replicas));
  conv2 = register_module("conv2", conv(out, out, 3, 1, replicas));
  bn2 = register_module("bn2", torch::nn::BatchNorm2d(out * replicas));
  shortcut = register_module("shortcut", torch::nn::Sequential());
  if (stride != 1 || in != out) {
    shortcut->push_back(conv(in, out, 1, stride, replicas));
    shortcut->push_back(torch::nn::BatchNorm2d(out * replicas));
  }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x) {
  auto y = torch::relu(bn1(conv1(x)));
  y = bn2(conv2(y));
  return torch::relu(y + (shortcut->is_empty() ? x : shortcut->forward(x)));
}

ResNetImpl::ResNetImpl(const ResNetOptions& opts) : options(opts) {
  if (opts.depth < 8 || (opts.depth - 2) % 6 != 0)
    throw std::invalid_argument("ResNet depth must be 6n+2 (got " + std::to_string(opts.depth) + ")");
  const int blocks_per_stage = (opts.depth - 2) / 6;
  if (opts.replicas < 1 || (!opts.stacked && opts.replicas != 1))
    throw std::invalid_argument("ResNet: replicas must be 1, or >= 1 for the stacked form");
  const auto widths = resnet_stage_widths(opts.width);
  const std::int64_t k = opts.replicas;
  stem = register_module("stem", conv(opts.in_channels, widths[0], 3, 1, k));
  stem_bn = register_module("stem_bn", torch::nn::BatchNorm2d(widths[0] * k));
  stages = register_module("stages", torch::nn::Sequential());
  std::int64_t in = widths[0];
  for (int stage = 0; stage < 3; ++stage) {
    for (int b = 0; b < blocks_per_stage; ++b) {
      const std::int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
      stages->push_back(BasicBlock(in, widths[stage], stride, k));
      in = widths[stage];
    }
  }
  // Stacked: the replicas' classifiers one above the other ([k x classes, in]), applied per
  // replica by a batched product in forward().
  classifier = register_module("classifier", torch::nn::Linear(in, opts.num_classes * k));
}

std::int64_t conv_multiply_accumulates(const torch::nn::Conv2dImpl& conv, std::int64_t& height, std::int64_t& width) {
  const auto& o = conv.options;
  auto out_size = [&](std::int64_t in, int d) {
    const auto& padding = c10::get<torch::ExpandingArray<2>>(o.padding());  // convs here pad explicitly
    return (in + 2 * (*padding)[d] - (*o.kernel_size())[d]) / (*o.stride())[d] + 1;
  };
  height = out_size(height, 0);
  width = out_size(width, 1);
  return o.out_channels() * (o.in_channels() / o.groups()) * (*o.kernel_size())[0] * (*o.kernel_size())[1] * height *
         width;
}

std::int64_t BasicBlockImpl::multiply_accumulates(std::int64_t& height, std::int64_t& width) const {
  std::int64_t shortcut_h = height, shortcut_w = width, macs = 0;
  macs += conv_multiply_accumulates(*conv1, height, width);
  macs += conv_multiply_accumulates(*conv2, height, width);
  if (!shortcut->is_empty())
    macs += conv_multiply_accumulates(*shortcut->ptr<torch::nn::Conv2dImpl>(0), shortcut_h, shortcut_w);
  return macs;
}

std::int64_t ResNetImpl::multiply_accumulates(std::int64_t height, std::int64_t width) const {
  std::int64_t macs = conv_multiply_accumulates(*stem, height, width);
  for (const auto& block : *stages) macs += block.ptr()->as<BasicBlockImpl>()->multiply_accumulates(height, width);
  return macs + classifier->options.in_features() * classifier->options.out_features();
}

torch::Tensor ResNetImpl::forward(const torch::Tensor& x) {
  auto y = torch::relu(stem_bn(stem(x)));
  y = stages->forward(y);
  y = torch::adaptive_avg_pool2d(y, {1, 1}).flatten(1);
  if (!options.stacked) return classifier(y);
  const std::int64_t k = options.replicas, batch = y.size(0);
  const auto features = y.view({batch, k, -1}).transpose(0, 1);  // [k, B, in]
  const auto weight = classifier->weight.view({k, options.num_classes, -1});
  return torch::baddbmm(classifier->bias.view({k, 1, options.num_classes}), features, weight.transpose(1, 2));
}

void ResNetImpl::initialise(at::Generator& generator) { initialise_resnet(*this, generator); }

ModelKind resnet_model_kind() {
  KindSchema schema;
  schema.name = "resnet";
  schema.summary = "CIFAR ResNet of He et al. (2016), depth 6n+2, with a width multiplier";
  schema.keys = {"model.depth"};
  schema.check = [](const RunConfig& c, KeyChecker& check) {
    if (c.model.depth < 8 || (c.model.depth - 2) % 6 != 0)
      check.fail("model.depth", "must be 6n+2 with n >= 1, e.g. 20, 32, 44, 56, 110 (got " +
                                    std::to_string(c.model.depth) + ")");
    if (c.model.width > 0 && !(16 * c.model.width >= 0.5))
      check.fail("model.width", "must be >= 0.03125 so that the narrowest stage (16 x width "
                                "channels) keeps a channel (got " + config_detail::format_number(c.model.width) + ")");
  };
  auto make = [](const RunConfig& c, const DataShape& shape) -> ModelPtr {
    ResNetOptions options;
    options.depth = c.model.depth;
    options.width = c.model.width;
    options.in_channels = shape.channels;
    options.num_classes = shape.num_classes;
    return std::make_shared<ResNetImpl>(options);
  };
  auto make_stacked = [](const RunConfig& c, const DataShape& shape, int replicas) -> ModelPtr {
    ResNetOptions options;
    options.depth = c.model.depth;
    options.width = c.model.width;
    options.in_channels = shape.channels;
    options.num_classes = shape.num_classes;
    options.stacked = true;
    options.replicas = replicas;
    return std::make_shared<ResNetImpl>(options);
  };
  return {schema, make, make_stacked};
}

void initialise_resnet(ResNetImpl& model, at::Generator& generator) {
  torch::NoGradGuard no_grad;
  for (auto& module : model.modules(/*include_self=*/false)) {
    if (auto* c = module->as<torch::nn::Conv2d>()) {
      const auto& w = c->weight;  // [out, in, kh, kw]; fan-out = out * kh * kw
      const double fan_out = static_cast<double>(w.size(0) * w.size(2) * w.size(3));
      w.normal_(0.0, std::sqrt(2.0 / fan_out), generator);
    } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
      bn->weight.fill_(1.0);
      bn->bias.zero_();
    } else if (auto* fc = module->as<torch::nn::Linear>()) {
      fc->weight.normal_(0.0, 0.01, generator);
      fc->bias.zero_();
    }
  }
}

}  // namespace localsgd
