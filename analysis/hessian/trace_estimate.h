// Defines hutchinson_trace: tr(H) estimated as the mean of z'Hz over a fixed number of
// Rademacher probes z (PyHessian stops when two running means agree, which can happen after a
// few probes; a fixed count with its standard error says how far to trust the number).
#pragma once

#include <cstdint>
#include <vector>

#include "hessian/symmetric_operator.h"

namespace localsgd::analysis {

struct TraceEstimate {
  double trace = 0;
  double standard_error = 0;  // sample std of the probes / sqrt(probes)
  std::vector<double> samples;
  std::int64_t products = 0;
};

// Probe i is rademacher(n, seed + i).
TraceEstimate hutchinson_trace(SymmetricOperator& op, int probes, std::uint64_t seed);

}  // namespace localsgd::analysis
