// Defines the CIFAR DenseNet family of Huang et al. (2017), as Lin et al. (2020) train
// DenseNet-40-12: a 3x3 convolution, three dense blocks joined by transitions, then BN, ReLU,
// global average pooling and a linear classifier. A dense layer is BN -> ReLU -> 3x3 conv to k
// (the growth rate) channels, its output concatenated to its input; with bottleneck it is first
// BN -> ReLU -> 1x1 conv to 4k channels (DenseNet-B). A transition is BN -> ReLU -> 1x1 conv to
// floor(compression x channels) -> 2x2 average pooling. DenseNet-BC is bottleneck + compression
// 0.5. Depth counts the convolutions and the classifier: 3n + 4 with n layers per block, 6n + 4
// with bottleneck. No dropout (Lin et al. train with data augmentation and no dropout).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "models/model.h"

namespace localsgd {

// The [model] keys DenseNet adds (arch = "densenet"); with the built-in depth and width.
struct DenseNetKeys {
  int growth_rate = 12;      // k
  bool bottleneck = false;   // 1x1 conv to 4k channels before each 3x3 (DenseNet-B)
  double compression = 1.0;  // transition output / input channels, in (0, 1]; 0.5 for DenseNet-BC
};

template <class V>
void visit_fields(DenseNetKeys& keys, V& v) {
  v("growth_rate", keys.growth_rate);
  v("bottleneck", keys.bottleneck);
  v("compression", keys.compression);
}

struct DenseNetOptions {
  int depth = 40;
  double width = 1.0;  // multiplier on the growth rate and the first convolution's channels
  int growth_rate = 12;
  bool bottleneck = false;
  double compression = 1.0;
  std::int64_t in_channels = 3;
  std::int64_t num_classes = 10;
};

// Layers per dense block: (depth - 4) / 3, or (depth - 4) / 6 with bottleneck; 0 if depth is
// not of that form.
int densenet_layers_per_block(int depth, bool bottleneck);

// Channels after the width multiplier, each max(1, round(base x width)): the growth rate k' and
// the first convolution's output (base 16, or 2k with bottleneck, as Huang et al.).
struct DenseNetWidths {
  std::int64_t growth, initial;
};
DenseNetWidths densenet_widths(const DenseNetOptions& options);

class DenseLayerImpl : public torch::nn::Module {
 public:
  DenseLayerImpl(std::int64_t in, std::int64_t growth, bool bottleneck);
  torch::Tensor forward(const torch::Tensor& x);  // [B, in + growth, H, W]
  std::int64_t multiply_accumulates(std::int64_t height, std::int64_t width) const;

 private:
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};  // bn2: bottleneck only
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};   // conv1: 1x1 (bottleneck) or the 3x3
};
TORCH_MODULE(DenseLayer);

class TransitionImpl : public torch::nn::Module {
 public:
  TransitionImpl(std::int64_t in, std::int64_t out);
  torch::Tensor forward(const torch::Tensor& x);
  // Height and width become the output's (halved, rounded down, by the pooling).
  std::int64_t multiply_accumulates(std::int64_t& height, std::int64_t& width) const;

 private:
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Transition);

class DenseNetImpl : public Model {
 public:
  explicit DenseNetImpl(const DenseNetOptions& options);
  torch::Tensor forward(const torch::Tensor& x) override;
  void initialise(at::Generator& generator) override;
  // Convolutions and the classifier, read from the modules' options (BN, ReLU, pooling and
  // concatenation not counted).
  std::int64_t multiply_accumulates(std::int64_t height, std::int64_t width) const;
  std::int64_t multiply_accumulates(const DataShape& shape) const override {
    return multiply_accumulates(shape.height, shape.width);
  }
  DenseNetOptions options;

 private:
  torch::nn::Conv2d stem{nullptr};
  std::vector<torch::nn::Sequential> blocks;  // "block1".."block3", of DenseLayers
  std::vector<Transition> transitions;        // "transition1", "transition2"
  torch::nn::BatchNorm2d final_bn{nullptr};
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(DenseNet);

// Re-draws every parameter from `generator` as Huang et al.'s and Lin et al.'s code do.
void initialise_densenet(DenseNetImpl& model, at::Generator& generator);

}  // namespace localsgd
