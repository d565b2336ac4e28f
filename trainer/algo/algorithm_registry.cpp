#include "algo/algorithm_registry.h"

#include <stdexcept>

namespace localsgd {

const std::vector<AlgorithmKind>& algorithm_kinds() {
  static const std::vector<AlgorithmKind> kinds = {
      minibatch_sgd_kind(),
      local_sgd_kind(),
      post_local_sgd_kind(),
      hierarchical_sgd_kind(),
      local_step_warmup_kind(),
  };
  return kinds;
}

std::unique_ptr<Algorithm> make_algorithm(const RunConfig& config, const Timeline& timeline) {
  std::string known;
  for (const auto& kind : algorithm_kinds()) {
    if (kind.schema.name == config.algorithm.kind) return kind.make(config, timeline);
    known += (known.empty() ? "" : ", ") + kind.schema.name;
  }
  throw std::invalid_argument("algorithm.kind: unknown algorithm '" + config.algorithm.kind + "' (expected " + known + ")");
}

}  // namespace localsgd
