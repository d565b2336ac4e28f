// Hierarchical local SGD (Lin et al., Algorithm 2): H local steps, then an average within each
// block of workers (a node); every H^b block averages, a global average.
#include "algo/algorithm_registry.h"
#include "algo/periodic_averaging.h"

namespace localsgd {

AlgorithmKind hierarchical_sgd_kind() {
  KindSchema schema;
  schema.name = "hierarchical";
  schema.summary = "hierarchical local SGD: block averages every H steps, a global one every H x H^b";
  schema.keys = {"algorithm.local_steps", "algorithm.block_size", "algorithm.block_steps"};
  schema.check = [](const RunConfig& c, KeyChecker& check) {
    const auto& a = c.algorithm;
    if (a.block_size > 0 && a.workers % a.block_size != 0)
      check.clash({"algorithm.block_size", "algorithm.workers"},
                  "blocks must divide the workers evenly (workers = " + std::to_string(a.workers) +
                      ", block_size = " + std::to_string(a.block_size) + ")");
  };
  auto make = [](const RunConfig& c, const Timeline& t) -> std::unique_ptr<Algorithm> {
    return std::make_unique<PeriodicAveraging>(
        SyncSchedule(t.total_steps(), {{0, constant_local_steps(c.algorithm.local_steps)}}, c.algorithm.block_steps));
  };
  return {schema, make};
}

}  // namespace localsgd
