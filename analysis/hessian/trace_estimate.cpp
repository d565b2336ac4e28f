#include "hessian/trace_estimate.h"

#include <cmath>
#include <stdexcept>

#include "hessian/eigenpairs.h"

namespace localsgd::analysis {
namespace {

// The mean of the samples and its standard error.
void summarise(TraceEstimate& estimate) {
  const double n = static_cast<double>(estimate.samples.size());
  double sum = 0;
  for (const double s : estimate.samples) sum += s;
  const double mean = sum / n;
  double squares = 0;
  for (const double s : estimate.samples) squares += (s - mean) * (s - mean);
  estimate.trace = estimate.deflated + mean;
  estimate.standard_error = std::sqrt(squares / (n - 1) / n);
}

}  // namespace

TraceEstimate hutchinson_trace(SymmetricOperator& op, int probes, std::uint64_t seed) {
  if (probes < 2) throw std::invalid_argument("hutchinson: at least 2 probes (for a standard error)");
  TraceEstimate estimate;
  estimate.method = "hutchinson";
  const std::int64_t before = op.products();
  for (int i = 0; i < probes; ++i) {
    const torch::Tensor z = rademacher(op.dimension(), seed + static_cast<std::uint64_t>(i));
    estimate.samples.push_back(z.dot(op.apply(z)).item<double>());
  }
  summarise(estimate);
  estimate.products = op.products() - before;
  return estimate;
}

TraceEstimate hutch_plus_plus_trace(SymmetricOperator& op, int products, std::uint64_t seed) {
  if (products < 6 || products % 3 != 0)
    throw std::invalid_argument("hutch++: a multiple of 3 products, at least 6 (2 probes, for a standard error)");
  const int k = products / 3;
  const std::int64_t n = op.dimension();
  TraceEstimate estimate;
  estimate.method = "hutch++";
  const std::int64_t before = op.products();
  std::vector<torch::Tensor> sketch;
  for (int i = 0; i < k; ++i) sketch.push_back(op.apply(rademacher(n, seed + static_cast<std::uint64_t>(i))));
  // Reduced QR: Q is [n, min(n, k)] with orthonormal columns spanning H S.
  const torch::Tensor q = std::get<0>(torch::linalg_qr(torch::stack(sketch, 1), "reduced"));
  for (std::int64_t j = 0; j < q.size(1); ++j) {
    const torch::Tensor column = q.select(1, j).contiguous();
    estimate.deflated += column.dot(op.apply(column)).item<double>();
  }
  for (int i = 0; i < k; ++i) {
    const torch::Tensor g = rademacher(n, seed + static_cast<std::uint64_t>(k + i));
    const torch::Tensor rest = g - torch::mv(q, torch::mv(q.t(), g));  // (I - QQ')g
    estimate.samples.push_back(rest.dot(op.apply(rest)).item<double>());
  }
  summarise(estimate);
  estimate.products = op.products() - before;
  return estimate;
}

}  // namespace localsgd::analysis
