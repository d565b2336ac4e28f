#include "hessian/eigenpairs.h"

#include <ATen/CPUGeneratorImpl.h>
#include <Spectra/SymEigsSolver.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>

namespace localsgd::analysis {

namespace {

// Spectra's matrix-free operator concept over a SymmetricOperator (perform_op is const).
class SpectraOperator {
 public:
  using Scalar = double;
  explicit SpectraOperator(SymmetricOperator& op) : op_(&op) {}
  Eigen::Index rows() const { return op_->dimension(); }
  Eigen::Index cols() const { return op_->dimension(); }
  void perform_op(const double* x, double* y) const {
    const torch::Tensor in = torch::from_blob(const_cast<double*>(x), {op_->dimension()}, torch::kDouble);
    const torch::Tensor out = op_->apply(in.clone()).contiguous();
    std::memcpy(y, out.data_ptr<double>(), sizeof(double) * op_->dimension());
  }

 private:
  SymmetricOperator* op_;
};

void add_residuals(SymmetricOperator& op, Eigenpairs& pairs) {
  for (size_t i = 0; i < pairs.values.size(); ++i) {
    const torch::Tensor& v = pairs.vectors[i];
    pairs.residuals.push_back((op.apply(v) - pairs.values[i] * v).norm().item<double>());
  }
}

}  // namespace

torch::Tensor rademacher(std::int64_t n, std::uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randint(0, 2, {n}, generator, torch::kDouble).mul_(2).sub_(1);
}

torch::Tensor gaussian(std::int64_t n, std::uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randn({n}, generator, torch::kDouble);
}

Eigenpairs lanczos_top(SymmetricOperator& op, const EigenOptions& options) {
  const std::int64_t n = op.dimension();
  if (options.count < 1 || options.count >= n)
    throw std::invalid_argument("lanczos: the number of eigenvalues must be in [1, n - 1]");
  const std::int64_t ncv = std::min<std::int64_t>(
      n, options.krylov_dimension > 0 ? options.krylov_dimension : std::max(2 * options.count + 2, 6));
  const std::int64_t before = op.products();
  SpectraOperator spectra_op(op);
  Spectra::SymEigsSolver<SpectraOperator> solver(spectra_op, options.count, std::max<std::int64_t>(ncv, options.count + 1));
  const torch::Tensor start = gaussian(n, options.seed);
  solver.init(start.data_ptr<double>());
  solver.compute(Spectra::SortRule::LargestAlge, options.max_iterations, options.tolerance,
                 Spectra::SortRule::LargestAlge);
  Eigenpairs pairs;
  pairs.method = "lanczos";
  pairs.products = op.products() - before;
  pairs.converged = solver.info() == Spectra::CompInfo::Successful;
  const Eigen::VectorXd values = solver.eigenvalues();
  const Eigen::MatrixXd vectors = solver.eigenvectors();
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    pairs.values.push_back(values[i]);
    pairs.vectors.push_back(torch::from_blob(const_cast<double*>(vectors.col(i).data()), {n}, torch::kDouble).clone());
  }
  add_residuals(op, pairs);
  return pairs;
}

Eigenpairs power_iteration_top(SymmetricOperator& op, const EigenOptions& options) {
  const std::int64_t n = op.dimension();
  Eigenpairs pairs;
  pairs.method = "power";
  const std::int64_t before = op.products();
  for (int k = 0; k < options.count; ++k) {
    torch::Tensor v = gaussian(n, options.seed + static_cast<std::uint64_t>(k));
    auto project_out = [&](torch::Tensor& x) {
      for (const auto& found : pairs.vectors) x -= x.dot(found) * found;
    };
    project_out(v);
    v /= v.norm();
    double lambda = 0;
    bool converged = false;
    for (int it = 0; it < options.max_iterations; ++it) {
      torch::Tensor hv = op.apply(v);
      project_out(hv);
      const double next = hv.dot(v).item<double>();
      const double change = std::abs(next - lambda) / (std::abs(lambda) + 1e-12);
      lambda = next;
      const double norm = hv.norm().item<double>();
      if (norm == 0) { converged = true; break; }
      v = hv / norm;
      if (it > 0 && change < options.tolerance) { converged = true; break; }
    }
    pairs.converged = pairs.converged && converged;
    pairs.values.push_back(lambda);
    pairs.vectors.push_back(v);
  }
  pairs.products = op.products() - before;
  // Power iteration finds them by magnitude; reported in descending order like Lanczos'.
  std::vector<size_t> order(pairs.values.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return pairs.values[a] > pairs.values[b]; });
  Eigenpairs sorted = pairs;
  for (size_t i = 0; i < order.size(); ++i) {
    sorted.values[i] = pairs.values[order[i]];
    sorted.vectors[i] = pairs.vectors[order[i]];
  }
  add_residuals(op, sorted);
  return sorted;
}

}  // namespace localsgd::analysis
