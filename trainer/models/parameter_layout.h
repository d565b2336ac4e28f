// Defines ParameterLayout: where each parameter of a model lives in its flat [P] row (name,
// offset, shape) and what it is (a weight, a bias, or a normalisation layer's scale or shift),
// in model.parameters() order. The optimizer's weight-decay mask, LARS' per-layer trust ratios
// and the analysis' filter normalisation are all read from it.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace localsgd {

enum class ParameterRole { kWeight, kBias, kNormScale, kNormShift };

struct ParameterSlot {
  std::string name;  // as named_parameters() names it, e.g. "stages.0.conv1.weight"
  std::int64_t offset = 0, numel = 0;
  std::vector<std::int64_t> shape;
  ParameterRole role = ParameterRole::kWeight;
  bool is_normalisation() const { return role == ParameterRole::kNormScale || role == ParameterRole::kNormShift; }
};

class ParameterLayout {
 public:
  // Normalisation layers: BatchNorm, GroupNorm, LayerNorm, InstanceNorm; biases: parameters
  // named "bias*" elsewhere; everything else is a weight.
  static ParameterLayout of(torch::nn::Module& model);

  const std::vector<ParameterSlot>& slots() const { return slots_; }
  std::int64_t size() const { return size_; }
  // [P] float: 1 where `select` holds for the parameter an element belongs to, else 0.
  torch::Tensor mask(const std::function<bool(const ParameterSlot&)>& select) const;

 private:
  std::vector<ParameterSlot> slots_;
  std::int64_t size_ = 0;
};

}  // namespace localsgd
