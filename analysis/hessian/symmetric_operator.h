// Defines SymmetricOperator: a symmetric linear map known only by its products (a Hessian,
// through Hessian-vector products), the one thing the eigenvalue, trace and density estimators
// need. Vectors are [n] double tensors. HessianOf is the Hessian of a FixedLoss; tests use
// explicit matrices.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "landscape/fixed_loss.h"

namespace localsgd::analysis {

class SymmetricOperator {
 public:
  virtual ~SymmetricOperator() = default;
  virtual std::int64_t dimension() const = 0;
  virtual torch::Tensor apply(const torch::Tensor& v) = 0;
  std::int64_t products() const { return products_; }

 protected:
  std::int64_t products_ = 0;
};

class HessianOf : public SymmetricOperator {
 public:
  explicit HessianOf(FixedLoss& loss) : loss_(loss) {}
  std::int64_t dimension() const override { return loss_.dimension(); }
  torch::Tensor apply(const torch::Tensor& v) override {
    ++products_;
    return loss_.hessian_vector_product(v);
  }

 private:
  FixedLoss& loss_;
};

// A dense symmetric matrix [n, n] (double).
class ExplicitMatrix : public SymmetricOperator {
 public:
  explicit ExplicitMatrix(torch::Tensor matrix) : matrix_(std::move(matrix)) {}
  std::int64_t dimension() const override { return matrix_.size(0); }
  torch::Tensor apply(const torch::Tensor& v) override {
    ++products_;
    return torch::mv(matrix_, v);
  }

 private:
  torch::Tensor matrix_;
};

}  // namespace localsgd::analysis
