#include "algo/algorithm_registry.h"


namespace localsgd {

const std::vector<AlgorithmKind>& algorithm_kinds() {
  static const std::vector<AlgorithmKind> kinds = {
      minibatch_sgd_kind(),
      local_sgd_kind(),
      post_local_sgd_kind(),
      hierarchical_sgd_kind(),
      local_step_warmup_kind(),
      slow_momentum_kind(),
      sign_sgd_kind(),
      error_feedback_sign_sgd_kind(),
      local_sign_sgd_kind(),
      local_ef_sign_sgd_kind(),
      gossip_sgd_kind(),
  };
  return kinds;
}

std::unique_ptr<Algorithm> make_algorithm(const RunConfig& config, const Timeline& timeline) {
  return find_registered(algorithm_kinds(), config.algorithm.kind, "algorithm.kind", "algorithm").make(config, timeline);
}

}  // namespace localsgd
