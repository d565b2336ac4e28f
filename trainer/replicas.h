// Defines Replicas: the model replicas of the workers this process runs, each with its own
// parameters, gradients and BN running statistics. Their storage is rows of flat tensors
// ([workers, P] parameters and gradients, [workers, S] BN statistics), so that averaging and
// the optimizer touch one buffer and the hot loop allocates nothing.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "config.h"
#include "resnet.h"

namespace localsgd {

// Builds the model a run's config describes (the analysis tool rebuilds saved models with it).
ResNet make_model(const ModelSection& model, std::int64_t in_channels, std::int64_t num_classes);

// Makes each tensor a view into one row of `flat` ([rows, total numel]) at consecutive offsets,
// copying its current value there first. Returns the total numel.
std::int64_t bind_to_row(const std::vector<torch::Tensor>& tensors, const torch::Tensor& flat, std::int64_t row);

// Floating-point BN running statistics (mean and var): what a BN-averaging policy averages.
std::vector<torch::Tensor> bn_statistics(torch::nn::Module& model);

class Replicas {
 public:
  // All replicas start from the same initialisation, drawn from `init_seed`.
  Replicas(const ModelSection& model, std::int64_t in_channels, std::int64_t num_classes,
           int count, std::uint64_t init_seed, torch::Device device = torch::kCPU);

  int count() const { return static_cast<int>(models.size()); }
  std::int64_t parameter_count() const { return params.size(1); }

  std::vector<ResNet> models;
  torch::Tensor params;    // [count, P]
  torch::Tensor grads;     // [count, P]
  torch::Tensor bn_stats;  // [count, S]
};

// 1 for convolution and linear weights; for BN weights/biases only if decay_bn; for other
// biases only if decay_bias. Parameter order is that of model.parameters().
torch::Tensor weight_decay_mask(torch::nn::Module& model, const OptimizerSection& optimizer);

}  // namespace localsgd
