// Defines the trace estimators: tr(H) from Hessian-vector products alone.
//   hutchinson_trace: the mean of z'Hz over a fixed number of Rademacher probes z (PyHessian
//     stops when two running means agree, which can happen after a few probes; a fixed count with
//     its standard error says how far to trust the number).
//   hutch_plus_plus_trace: Hutch++ (Meyer, Musco, Musco and Woodruff 2021, Algorithm 1): a third
//     of the products find the top of the spectrum (Q, an orthonormal basis of H S), whose trace
//     tr(Q'HQ) is exact, and Hutchinson estimates only the rest, tr((I - QQ')H(I - QQ')), which
//     is small when the spectrum decays fast, as a network's Hessian's does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hessian/symmetric_operator.h"

namespace localsgd::analysis {

struct TraceEstimate {
  std::string method;         // "hutchinson" | "hutch++"
  double trace = 0;
  double standard_error = 0;  // sample std of the Hutchinson samples / sqrt(their count)
  std::vector<double> samples;  // the Hutchinson samples (Hutch++: of the deflated rest)
  double deflated = 0;        // Hutch++: tr(Q'HQ), the exactly known part (0 for Hutchinson)
  std::int64_t products = 0;
};

// Probe i is rademacher(n, seed + i).
TraceEstimate hutchinson_trace(SymmetricOperator& op, int probes, std::uint64_t seed);

// `products` Hessian-vector products (a multiple of 3, at least 6): k = products / 3 sketch
// vectors rademacher(n, seed + i), and k probes rademacher(n, seed + k + i) of the rest.
TraceEstimate hutch_plus_plus_trace(SymmetricOperator& op, int products, std::uint64_t seed);

}  // namespace localsgd::analysis
