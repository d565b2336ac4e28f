// Defines the spectral density of a SymmetricOperator by stochastic Lanczos quadrature
// (Ghorbani et al. 2019; PyHessian's density): per probe (a normalised Rademacher vector), m
// Lanczos steps with full reorthogonalisation give a symmetric tridiagonal T; its eigenvalues
// are quadrature nodes and the squared first components of its eigenvectors their weights (they
// sum to 1). Averaged over probes, sum_j w_j f(theta_j) estimates tr(f(H)) / n; the density on a
// grid smooths the nodes with Gaussians of variance `variance` (PyHessian's default
// 1e-5 max(1, range)).
#pragma once

#include <cstdint>
#include <vector>

#include "hessian/symmetric_operator.h"

namespace localsgd::analysis {

struct Tridiagonal {
  std::vector<double> diagonal, off_diagonal;  // off_diagonal.size() == diagonal.size() - 1
};

// m steps from `start` (normalised here); stops early if the Krylov space is invariant.
Tridiagonal lanczos_tridiagonal(SymmetricOperator& op, const torch::Tensor& start, int steps);

struct QuadratureNode {
  double value = 0, weight = 0;
};

struct SpectralDensity {
  std::vector<QuadratureNode> nodes;  // every probe's, weights divided by the probe count
  std::int64_t products = 0;
  // The k-th moment estimate sum_j w_j theta_j^k (~ tr(H^k) / n).
  double moment(int k) const;
};

// Probe i is rademacher(n, seed + i).
SpectralDensity lanczos_quadrature(SymmetricOperator& op, int steps, int probes, std::uint64_t seed);

struct DensityCurve {
  std::vector<double> grid, density;
  double variance = 0;
};
// variance <= 0: 1e-5 max(1, max - min). The grid spans the nodes +- 0.01 (+ 3 std) in `points`
// points; the curve integrates to 1 on it.
DensityCurve smoothed_density(const SpectralDensity& d, int points = 10000, double variance = 0);

}  // namespace localsgd::analysis
