// Local SGD (Lin et al., Algorithm 1): each worker takes H local steps on its own batches, then
// the K workers average their parameters.
#include "algo/algorithm_registry.h"
#include "algo/periodic_averaging.h"

namespace localsgd {

AlgorithmKind local_sgd_kind() {
  KindSchema schema;
  schema.name = "local";
  schema.summary = "local SGD: H local steps, then the parameters averaged over the K workers";
  schema.keys = {"algorithm.local_steps"};
  auto make = [](const RunConfig& c, const Timeline& t) -> std::unique_ptr<Algorithm> {
    return std::make_unique<PeriodicAveraging>(
        SyncSchedule(t.total_steps(), {{0, constant_local_steps(c.algorithm.local_steps)}}));
  };
  return {schema, make};
}

}  // namespace localsgd
