// Defines Replicas: the model replicas of the workers this process runs, each with its own
// parameters, gradients and BN running statistics. Their storage is rows of flat tensors
// ([workers, P] parameters and gradients, [workers, S] BN statistics), so that averaging and
// the optimizer touch one buffer and the hot loop allocates nothing. The parameter layout
// says what each of the P columns is.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "config/config.h"
#include "models/model.h"
#include "models/parameter_layout.h"

namespace localsgd {

// Makes each tensor a view into one row of `flat` ([rows, total numel]) at consecutive offsets,
// copying its current value there first. Returns the total numel.
std::int64_t bind_to_row(const std::vector<torch::Tensor>& tensors, const torch::Tensor& flat, std::int64_t row);

// Floating-point running statistics (BN mean and var): what a BN-averaging policy averages.
std::vector<torch::Tensor> bn_statistics(torch::nn::Module& model);

class Replicas {
 public:
  // All replicas start from the same initialisation, drawn from `init_seed`, or from the model
  // file run.init_from (parameters and BN statistics).
  Replicas(const RunConfig& config, const DataShape& shape, int count, std::uint64_t init_seed,
           torch::Device device = torch::kCPU);

  int count() const { return static_cast<int>(models.size()); }
  std::int64_t parameter_count() const { return params.size(1); }

  std::vector<ModelPtr> models;
  ParameterLayout layout;  // of every replica alike
  torch::Tensor params;    // [count, P]
  torch::Tensor grads;     // [count, P]
  torch::Tensor bn_stats;  // [count, S]
};

}  // namespace localsgd
