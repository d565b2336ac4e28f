// Defines StackedPasses: the K replicas of this process run as one network, the architecture's
// stacked form (models/model_registry.h), whose layers are grouped over the replicas: the
// batches are stacked along the channels, grouped convolutions keep each replica to its own
// channels, BN over K x C channels is each replica's BN, and the classifier is a batched
// product. Each step copies the replicas' parameters and BN statistics in (one gather) and the
// gradients and statistics back out (one scatter), so the flat rows stay the run's state and
// averaging, the optimizer and checkpoints do not change.
//
// The sum of the replicas' losses is differentiated once; replica k's parameters enter only its
// own loss, so its gradient is the one its own pass would give. Float rounding differs (other
// kernels, other summation orders), which is why one-by-one stays for runs that must equal MPI
// runs bit for bit.
#pragma once

#include "passes/worker_passes.h"

namespace localsgd {

class StackedPasses : public WorkerPasses {
 public:
  StackedPasses(const RunConfig& config, const DataShape& shape, Replicas& replicas);
  const char* name() const override { return "stacked"; }
  std::vector<PassResult> run(Replicas& replicas, const std::vector<Batch>& batches, const Task& task,
                              PhaseTimes& times) override;

 private:
  ModelPtr stacked_;
  torch::Tensor params_, grads_, bn_stats_;    // the stacked form's, tensor by tensor
  torch::Tensor param_index_, bn_index_;       // where each of their elements is in the flat rows
  torch::MemoryFormat input_format_;
};

}  // namespace localsgd
