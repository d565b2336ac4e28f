// Defines FixedLoss: a model's loss as a function of its parameters on a fixed set of samples,
// the object the Hessian, interpolation and sharpness analyses study. The samples are the first
// n of a split without augmentation, held as batches of at most batch_size (memory stays bounded
// by one batch's graph). Normalisation layers use their running statistics (eval mode) unless
// batch statistics are asked for (then the running statistics are restored after each pass, so
// the model is never changed by a measurement). The loss is the task's mean over all n samples
// (each batch weighted by its size), without weight decay. Parameters are seen as one flat
// double vector in Module::parameters() order.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "data/sample_source.h"
#include "models/model.h"
#include "task/task.h"

namespace localsgd::analysis {

enum class NormStatistics { kRunning, kBatch };

// How Hessian-vector products are computed: by double backward through autograd (exact up to
// rounding), or by central differences of the gradient, (g(w + h v) - g(w - h v)) / 2h with
// h = eps^(1/3) max(1, |w|) / |v| for the parameters' precision eps: two gradients per product,
// where double backward through a CPU convolution costs 5 to 14 gradients (BENCHMARKS.md).
// Differences are accurate on smooth models (1e-5 relative in float, tested) but not on ReLU
// networks in float: on ResNet-20 the top eigenvalues came out 1 % and 35 % off (BENCHMARKS.md).
enum class HessianProducts { kAutograd, kFiniteDifferences };

struct LossValue {
  double loss = 0;
  double accuracy = 0;
};

class FixedLoss {
 public:
  // samples <= 0: all of the split.
  FixedLoss(Model& model, const SampleSource& data, const Task& task, std::int64_t samples, std::int64_t batch_size,
            NormStatistics statistics = NormStatistics::kRunning);

  std::int64_t dimension() const { return dimension_; }
  std::int64_t samples() const { return samples_; }
  Model& model() { return model_; }

  torch::Tensor parameters() const;                  // [P] double, a copy
  void set_parameters(const torch::Tensor& flat);    // [P], into the model
  LossValue value();                                 // at the model's parameters
  torch::Tensor gradient(double* loss = nullptr);    // [P] double
  torch::Tensor hessian_vector_product(const torch::Tensor& v);  // [P] double
  std::int64_t hessian_products() const { return hessian_products_; }
  void set_products(HessianProducts method) { products_method_ = method; }

 private:
  // Runs `per_batch(outputs, targets, weight)` over every batch in the chosen mode, weight = b / n.
  template <typename PerBatch>
  void for_each_batch(bool with_grad, PerBatch&& per_batch);
  torch::Tensor differenced_product(const torch::Tensor& v);

  Model& model_;
  const Task& task_;
  NormStatistics statistics_;
  HessianProducts products_method_ = HessianProducts::kAutograd;
  std::vector<torch::Tensor> parameters_;
  std::vector<Batch> batches_;
  std::int64_t samples_ = 0, dimension_ = 0, hessian_products_ = 0;
};

}  // namespace localsgd::analysis
