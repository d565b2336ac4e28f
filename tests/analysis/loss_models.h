// Small models and sample sets with Hessians known in closed form, for the Hessian and
// landscape tests: linear least squares (H = X'X / n with a column of ones for the bias),
// softmax regression (H = 1/n sum_i (diag p_i - p_i p_i') (x) x_i x_i'), and a tiny network with
// batch normalisation whose Hessian is checked against finite differences.
#pragma once

#include <torch/torch.h>

#include "data/sample_source.h"
#include "models/model.h"
#include "task/task.h"

namespace localsgd::analysis::testing {

// Given inputs and targets, served by index.
class TensorSamples : public SampleSource {
 public:
  TensorSamples(torch::Tensor inputs, torch::Tensor targets) : inputs_(std::move(inputs)), targets_(std::move(targets)) {}
  std::int64_t size() const override { return inputs_.size(0); }
  DataShape shape() const override { return {inputs_.size(1), 1, 1, 1}; }
  Batch batch(const torch::Tensor& indices, bool, at::Generator&) const override {
    return {inputs_.index_select(0, indices), targets_.index_select(0, indices)};
  }

 private:
  torch::Tensor inputs_, targets_;
};

// y = x'w + b.
class LinearModel : public Model {
 public:
  LinearModel(std::int64_t in, std::int64_t out) : linear(register_module("linear", torch::nn::Linear(in, out))) {}
  torch::Tensor forward(const torch::Tensor& inputs) override { return linear(inputs.flatten(1)); }
  void initialise(at::Generator&) override {}
  std::int64_t multiply_accumulates(const DataShape&) const override { return 0; }
  torch::nn::Linear linear;
};

// Half the mean squared error of a single output; `targets` are float.
class HalfSquaredError : public Task {
 public:
  torch::Tensor loss(const torch::Tensor& outputs, const torch::Tensor& targets) const override {
    return 0.5 * (outputs.squeeze(1) - targets).pow(2).mean();
  }
  double correct(const torch::Tensor&, const torch::Tensor&) const override { return 0; }
  double loss_sum(const torch::Tensor& outputs, const torch::Tensor& targets) const override {
    return 0.5 * (outputs.squeeze(1) - targets).pow(2).sum().item<double>();
  }
};

// conv 3x3 -> BatchNorm -> tanh -> mean pool -> linear: smooth, so finite differences work.
class TinyNormNet : public Model {
 public:
  TinyNormNet()
      : conv(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 3, 3).padding(1)))),
        norm(register_module("norm", torch::nn::BatchNorm2d(3))),
        head(register_module("head", torch::nn::Linear(3, 4))) {}
  torch::Tensor forward(const torch::Tensor& inputs) override {
    return head(torch::tanh(norm(conv(inputs))).mean({2, 3}));
  }
  void initialise(at::Generator&) override {}
  std::int64_t multiply_accumulates(const DataShape&) const override { return 0; }
  torch::nn::Conv2d conv;
  torch::nn::BatchNorm2d norm;
  torch::nn::Linear head;
};

}  // namespace localsgd::analysis::testing
