// Defines the CIFAR ResNet family of He et al. (2016), depth 6n+2 (20, 32, 44, 56, 110), with
// a width multiplier on the 16/32/64 stage widths for small-scale runs. Shortcuts are identity,
// or a strided 1x1 convolution + BN where the shape changes. Initialisation as in Lin et al.:
// He (fan-out) normal for convolutions, N(0, 0.01) for the classifier, BN weight 1 / bias 0.
#pragma once

#include <torch/torch.h>

#include <array>
#include <cstdint>

#include "models/model.h"

namespace localsgd {

struct ResNetOptions {
  int depth = 20;
  double width = 1.0;
  std::int64_t in_channels = 3;
  std::int64_t num_classes = 10;
  // The stacked form of `replicas` replicas (models/model_registry.h, make_stacked): every
  // convolution grouped over them, BN over all their channels, the classifier batched, the
  // outputs [replicas, B, classes].
  bool stacked = false;
  std::int64_t replicas = 1;
};

// Stage widths after the multiplier: round(16w), round(32w), round(64w), each at least 1.
std::array<std::int64_t, 3> resnet_stage_widths(double width);

// A convolution's multiply-accumulates on an input of height x width; both become its output's.
std::int64_t conv_multiply_accumulates(const torch::nn::Conv2dImpl& conv, std::int64_t& height, std::int64_t& width);

class BasicBlockImpl : public torch::nn::Module {
 public:
  BasicBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride, std::int64_t replicas = 1);
  torch::Tensor forward(const torch::Tensor& x);
  // Multiply-accumulates of the convolutions on one input; height and width become the output's.
  std::int64_t multiply_accumulates(std::int64_t& height, std::int64_t& width) const;

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential shortcut{nullptr};  // empty when the shape is kept
};
TORCH_MODULE(BasicBlock);

class ResNetImpl : public Model {
 public:
  explicit ResNetImpl(const ResNetOptions& options);
  torch::Tensor forward(const torch::Tensor& x) override;
  void initialise(at::Generator& generator) override;
  // Multiply-accumulates of one forward pass on one height x width image: convolutions and the
  // classifier, read from the modules' options (BN, ReLU, pooling and additions not counted).
  std::int64_t multiply_accumulates(std::int64_t height, std::int64_t width) const;
  std::int64_t multiply_accumulates(const DataShape& shape) const override {
    return multiply_accumulates(shape.height, shape.width);
  }
  ResNetOptions options;

 private:
  torch::nn::Conv2d stem{nullptr};
  torch::nn::BatchNorm2d stem_bn{nullptr};
  torch::nn::Sequential stages{nullptr};
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(ResNet);

// Re-draws every parameter from `generator` with the paper's initialisation.
void initialise_resnet(ResNetImpl& model, at::Generator& generator);

}  // namespace localsgd
