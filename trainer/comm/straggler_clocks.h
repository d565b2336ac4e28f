// Defines StragglerClocks: the time model of slow workers (Figure 19 (c), "straggling workers").
// Each step, each worker independently straggles with probability p and then takes `seconds`
// longer; a collective waits for its slowest member. Every worker keeps a clock of the delay it
// has accumulated; an exchange sets the clocks of each group (or of each worker and its gossip
// neighbours) to their maximum, so mini-batch SGD pays the slowest worker every step and local
// SGD only the slowest sum over H steps. The draws are a pure function of (seed, worker, step):
// every process computes every worker's clock, so simulated and MPI runs record the same wait.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "comm/mixing_matrix.h"
#include "comm/worker_groups.h"

namespace localsgd {

class StragglerClocks {
 public:
  StragglerClocks() = default;
  StragglerClocks(int workers, double probability, double seconds, std::uint64_t seed);

  bool active() const { return probability_ > 0 && seconds_ > 0; }
  // The delay `worker` takes at `step`: `seconds` with probability p, else 0.
  double delay(int worker, std::int64_t step) const;
  // Every worker's clock moves on by its delay at `step`.
  void advance(std::int64_t step);
  // A collective over `groups`: each group's clocks become the group's latest.
  void synchronise(const WorkerGroups& groups);
  // A gossip step: each worker's clock becomes the latest of itself and its neighbours'.
  void synchronise(const MixingMatrix& weights);
  // The time the stragglers add to the run so far: the latest clock.
  double seconds() const;

  torch::Tensor to_tensor() const;
  void from_tensor(const torch::Tensor& clocks);

 private:
  double probability_ = 0, seconds_ = 0;
  std::uint64_t seed_ = 0;
  std::vector<double> clocks_;
};

}  // namespace localsgd
