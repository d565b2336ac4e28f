// Defines the algorithm registry: every algorithm the trainer runs, by the name [algorithm] kind
// gives, with its config schema (summary, the [algorithm] keys only it uses, the keys it adds,
// its checks) and its factory. An algorithm is one file plus one line in algorithm_registry.cpp.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "algo/algorithm.h"
#include "config/config.h"
#include "config/schema.h"
#include "schedule/timeline.h"

namespace localsgd {

struct AlgorithmKind {
  KindSchema schema;
  std::function<std::unique_ptr<Algorithm>(const RunConfig&, const Timeline&)> make;
};

// The registered algorithms, in registration order.
const std::vector<AlgorithmKind>& algorithm_kinds();

// The algorithm of `config`; throws std::invalid_argument for an unknown kind, listing the known ones.
std::unique_ptr<Algorithm> make_algorithm(const RunConfig& config, const Timeline& timeline);

// Each algorithm's registration (defined in its own file).
AlgorithmKind minibatch_sgd_kind();
AlgorithmKind local_sgd_kind();
AlgorithmKind post_local_sgd_kind();
AlgorithmKind hierarchical_sgd_kind();
AlgorithmKind local_step_warmup_kind();
AlgorithmKind slow_momentum_kind();
AlgorithmKind sign_sgd_kind();
AlgorithmKind error_feedback_sign_sgd_kind();
AlgorithmKind local_sign_sgd_kind();
AlgorithmKind local_ef_sign_sgd_kind();
AlgorithmKind gossip_sgd_kind();

}  // namespace localsgd
