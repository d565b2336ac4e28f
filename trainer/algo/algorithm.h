// Defines Algorithm: a distributed-training algorithm as a strategy with hooks around the parts
// of a step the papers' algorithms change. The loop (run/trainer.cpp) calls, every step, after
// each worker's backward pass:
//   after_backward(c)  exchange or transform gradients (mini-batch SGD averages them)
//   local_update(c)    the local optimizer step (SGD; LARS and sign methods replace it)
//   after_update(c)    exchange parameters when due (local, post-local, hierarchical SGD)
// An algorithm owns its state (error memory, slow momentum, ...) and saves and loads it with the
// run state. Each algorithm is one file, registered in algo/algorithm_registry.cpp.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>

#include "algo/sync_policy.h"
#include "comm/communicator.h"
#include "models/replicas.h"
#include "optim/flat_sgd.h"

namespace localsgd {

// What a hook may touch during one step.
struct StepContext {
  std::int64_t step;     // 0-based index of the step being run
  double lr;             // the learning rate of this step
  Replicas& replicas;    // this process's workers: params, grads, BN statistics, layout
  FlatSgd& optimizer;    // the local optimizer and its momentum rows
  Communicator& comm;
  const SyncPolicy& policy;  // what else an exchange averages (BN statistics, momentum)
};

class Algorithm {
 public:
  virtual ~Algorithm() = default;
  // H in force at `step`, as the records report it (1 for mini-batch SGD).
  virtual std::int64_t local_steps(std::int64_t step) const = 0;
  virtual void after_backward(StepContext&) {}
  virtual void local_update(StepContext& c) { c.optimizer.step(c.replicas.params, c.replicas.grads, c.lr); }
  virtual void after_update(StepContext&) {}
  // The epoch its local phase starts at (post-local SGD), < 0 when it has none.
  virtual double local_from_epoch() const { return -1; }
  // Its own state, for the run state's save and load (nothing by default).
  virtual void save(torch::serialize::OutputArchive&) const {}
  virtual void load(torch::serialize::InputArchive&) {}
};

}  // namespace localsgd
