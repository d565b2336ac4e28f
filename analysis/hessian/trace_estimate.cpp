#include "hessian/trace_estimate.h"

#include <cmath>
#include <stdexcept>

#include "hessian/eigenpairs.h"

namespace localsgd::analysis {

TraceEstimate hutchinson_trace(SymmetricOperator& op, int probes, std::uint64_t seed) {
  if (probes < 2) throw std::invalid_argument("hutchinson: at least 2 probes (for a standard error)");
  TraceEstimate estimate;
  const std::int64_t before = op.products();
  double sum = 0;
  for (int i = 0; i < probes; ++i) {
    const torch::Tensor z = rademacher(op.dimension(), seed + static_cast<std::uint64_t>(i));
    estimate.samples.push_back(z.dot(op.apply(z)).item<double>());
    sum += estimate.samples.back();
  }
  estimate.trace = sum / probes;
  double squares = 0;
  for (const double s : estimate.samples) squares += (s - estimate.trace) * (s - estimate.trace);
  estimate.standard_error = std::sqrt(squares / (probes - 1) / probes);
  estimate.products = op.products() - before;
  return estimate;
}

}  // namespace localsgd::analysis
