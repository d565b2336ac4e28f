// Defines WorkerPasses: how the forward and backward passes of this process's workers are run
// in a step, each worker on its own batch with its own replica. Two ways, chosen by
// run.worker_passes:
//   one-by-one  each replica in turn (OneByOnePasses): the arithmetic of a cluster's ranks, so
//               simulated runs equal MPI runs bit for bit;
//   stacked     all replicas at once as one network whose layers are grouped over the replicas
//               (StackedPasses): the same maths to float rounding, and much faster for many
//               narrow replicas, whose small tensors leave the cores idle one by one.
// Either way the gradients end in replicas.grads and the BN statistics in replicas.bn_stats.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "config/config.h"
#include "data/augment.h"
#include "models/replicas.h"
#include "run/phase_times.h"
#include "task/task.h"

namespace localsgd {

// One worker's pass: its mean loss and its correct predictions on its batch.
struct PassResult {
  double loss = 0;
  double correct = 0;
};

class WorkerPasses {
 public:
  virtual ~WorkerPasses() = default;
  // The run.worker_passes value this implements.
  virtual const char* name() const = 0;
  // batches[r] is worker r's; replicas.grads must be zero. Adds the forward and backward time
  // to `times`.
  virtual std::vector<PassResult> run(Replicas& replicas, const std::vector<Batch>& batches, const Task& task,
                                      PhaseTimes& times) = 0;
};

class OneByOnePasses : public WorkerPasses {
 public:
  const char* name() const override { return "one-by-one"; }
  std::vector<PassResult> run(Replicas& replicas, const std::vector<Batch>& batches, const Task& task,
                              PhaseTimes& times) override;
};

// The passes run.worker_passes asks for, for `replicas` on data of `shape`.
std::unique_ptr<WorkerPasses> make_worker_passes(const RunConfig& config, const DataShape& shape,
                                                 Replicas& replicas);

}  // namespace localsgd
