#include "passes/worker_passes.h"

#include "passes/stacked_passes.h"

namespace localsgd {

std::unique_ptr<WorkerPasses> make_worker_passes(const RunConfig& config, const DataShape& shape,
                                                 Replicas& replicas) {
  if (config.run.worker_passes == "stacked") return std::make_unique<StackedPasses>(config, shape, replicas);
  return std::make_unique<OneByOnePasses>();
}

}  // namespace localsgd
