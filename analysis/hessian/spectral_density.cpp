#include "hessian/spectral_density.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "hessian/eigenpairs.h"

namespace localsgd::analysis {

Tridiagonal lanczos_tridiagonal(SymmetricOperator& op, const torch::Tensor& start, int steps) {
  const std::int64_t n = op.dimension();
  steps = static_cast<int>(std::min<std::int64_t>(steps, n));
  if (steps < 1) throw std::invalid_argument("lanczos: at least one step");
  torch::Tensor basis = torch::zeros({steps, n}, torch::kDouble);
  torch::Tensor q = start / start.norm();
  Tridiagonal t;
  for (int j = 0; j < steps; ++j) {
    basis[j].copy_(q);
    torch::Tensor w = op.apply(q);
    const double alpha = w.dot(q).item<double>();
    t.diagonal.push_back(alpha);
    if (j + 1 == steps) break;
    // Full reorthogonalisation, twice (Gram-Schmidt once is not enough in floating point):
    // without it, converged Ritz values reappear as ghost copies.
    const torch::Tensor used = basis.narrow(0, 0, j + 1);
    for (int pass = 0; pass < 2; ++pass) w -= torch::mv(used.t(), torch::mv(used, w));
    const double beta = w.norm().item<double>();
    if (beta <= 1e-10 * std::max(1.0, std::abs(alpha))) break;  // invariant subspace: T is exact
    t.off_diagonal.push_back(beta);
    q = w / beta;
  }
  return t;
}

double SpectralDensity::moment(int k) const {
  double m = 0;
  for (const auto& node : nodes) m += node.weight * std::pow(node.value, k);
  return m;
}

SpectralDensity lanczos_quadrature(SymmetricOperator& op, int steps, int probes, std::uint64_t seed) {
  if (probes < 1) throw std::invalid_argument("lanczos quadrature: at least one probe");
  SpectralDensity density;
  const std::int64_t before = op.products();
  for (int i = 0; i < probes; ++i) {
    const Tridiagonal t = lanczos_tridiagonal(op, rademacher(op.dimension(), seed + static_cast<std::uint64_t>(i)), steps);
    const Eigen::Index m = static_cast<Eigen::Index>(t.diagonal.size());
    const Eigen::VectorXd diagonal = Eigen::Map<const Eigen::VectorXd>(t.diagonal.data(), m);
    Eigen::VectorXd off = Eigen::VectorXd::Zero(std::max<Eigen::Index>(m - 1, 0));
    for (Eigen::Index j = 0; j + 1 < m; ++j) off[j] = t.off_diagonal[j];
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver;
    solver.computeFromTridiagonal(diagonal, off, Eigen::ComputeEigenvectors);
    for (Eigen::Index j = 0; j < m; ++j) {
      const double first = solver.eigenvectors()(0, j);
      density.nodes.push_back({solver.eigenvalues()[j], first * first / probes});
    }
  }
  density.products = op.products() - before;
  return density;
}

DensityCurve smoothed_density(const SpectralDensity& d, int points, double variance) {
  if (d.nodes.empty() || points < 2) throw std::invalid_argument("smoothed density: no nodes or too few points");
  double lo = d.nodes.front().value, hi = lo;
  for (const auto& node : d.nodes) lo = std::min(lo, node.value), hi = std::max(hi, node.value);
  DensityCurve curve;
  curve.variance = variance > 0 ? variance : 1e-5 * std::max(1.0, hi - lo);
  const double margin = 0.01 + 3 * std::sqrt(curve.variance);
  lo -= margin;
  hi += margin;
  const double step = (hi - lo) / (points - 1);
  double integral = 0;
  for (int i = 0; i < points; ++i) {
    const double x = lo + i * step;
    double y = 0;
    for (const auto& node : d.nodes)
      y += node.weight * std::exp(-(x - node.value) * (x - node.value) / (2 * curve.variance));
    y /= std::sqrt(2 * M_PI * curve.variance);
    curve.grid.push_back(x);
    curve.density.push_back(y);
    integral += y * step;
  }
  for (double& y : curve.density) y /= integral;
  return curve;
}

}  // namespace localsgd::analysis
