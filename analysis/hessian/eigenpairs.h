// Defines the top-k eigenvalue estimators of a SymmetricOperator and what they report: each
// eigenvalue with its residual ||Hv - lambda v|| (computed with one more product per pair, not
// taken from the method's own estimate) and the products the method used.
//   lanczos_top: implicitly restarted Lanczos (Spectra's SymEigsSolver, full
//     reorthogonalisation), the largest algebraic eigenvalues, to a relative tolerance.
//   power_iteration_top: PyHessian's method, as a second one: power iteration from a random
//     start, the found vectors projected out, stopped when the Rayleigh quotient changes by less
//     than `tolerance` relatively; it converges to the largest |lambda|.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hessian/symmetric_operator.h"

namespace localsgd::analysis {

struct Eigenpairs {
  std::string method;
  std::vector<double> values;     // descending
  std::vector<double> residuals;  // ||H v_i - lambda_i v_i||, v_i of unit norm
  std::vector<torch::Tensor> vectors;
  std::int64_t products = 0;      // used by the method (residuals not included)
  bool converged = true;
};

struct EigenOptions {
  int count = 1;
  double tolerance = 1e-4;   // relative
  int max_iterations = 100;  // Lanczos restarts, or power steps per eigenvalue
  int krylov_dimension = 0;  // Lanczos subspace; 0: max(2 count + 2, 6), at most n
  std::uint64_t seed = 0;
};

Eigenpairs lanczos_top(SymmetricOperator& op, const EigenOptions& options);
Eigenpairs power_iteration_top(SymmetricOperator& op, const EigenOptions& options);

// [n] double with independent +-1 entries (Rademacher) or N(0, 1) entries, from `seed`.
torch::Tensor rademacher(std::int64_t n, std::uint64_t seed);
torch::Tensor gaussian(std::int64_t n, std::uint64_t seed);

}  // namespace localsgd::analysis
