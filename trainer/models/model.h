// Defines Model: what the loop, the evaluation, the run directory, the micro-benchmarks and the
// analysis need of a network, whatever its architecture: a forward pass over a batch, the
// paper's initialisation drawn from a given generator, and its multiply-accumulates per sample.
// Parameters, buffers, save and load are torch::nn::Module's. Architectures implement it in
// their own files and register in models/model_registry.cpp.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>

#include "data/data_shape.h"

namespace localsgd {

class Model : public torch::nn::Module {
 public:
  // inputs: a batch as the dataset makes it ([B, C, H, W] images); returns the task's outputs
  // ([B, classes] logits for classification).
  virtual torch::Tensor forward(const torch::Tensor& inputs) = 0;
  // Re-draws every parameter from `generator` as the architecture's paper does.
  virtual void initialise(at::Generator& generator) = 0;
  // Multiply-accumulates of one forward pass on one sample of `shape`.
  virtual std::int64_t multiply_accumulates(const DataShape& shape) const = 0;
};

using ModelPtr = std::shared_ptr<Model>;

}  // namespace localsgd
