// Shared by the algorithm tests: runs an algorithm's hooks over every step of a hand case with a
// communicator that records what is exchanged (which buffer, at which level, after which step).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <tuple>

#include "algo/algorithm_registry.h"
#include "algo/periodic_averaging.h"
#include "support.h"

namespace localsgd::testing {

enum class Buffer { kParams, kGrads, kBnStats, kMomentum, kOther };

struct Exchange {
  std::int64_t step;
  Buffer buffer;
  CommLevel level;
  bool operator==(const Exchange& o) const { return std::tie(step, buffer, level) == std::tie(o.step, o.buffer, o.level); }
};

// A simulated communicator that also notes every all_reduce (the transport still averages).
class RecordingCommunicator : public SimulatedCommunicator {
 public:
  RecordingCommunicator(int workers, int block) : SimulatedCommunicator(workers, block) {}
  std::function<Buffer(const torch::Tensor&)> identify;
  std::vector<std::pair<Buffer, int>> calls;  // buffer, group size

 protected:
  void reduce_rows(torch::Tensor& rows, const WorkerGroups& groups, ReduceOp op) override {
    calls.emplace_back(identify(rows), groups.largest());
    SimulatedCommunicator::reduce_rows(rows, groups, op);
  }
};

// N = 1000, K = 4, B_loc = 25: 10 steps per epoch, 10 epochs = 100 steps; first decay at epoch 5.
inline RunConfig hand_case(const std::string& kind, std::int64_t h) {
  RunConfig c = quick_config(kind, 4, h);
  c.run.epochs = 10;
  c.algorithm.local_batch = 25;
  c.schedule.decay_at = {0.5, 0.75};
  return c;
}

struct Trace {
  std::vector<Exchange> exchanges;
  std::vector<double> momentum_after;  // |momentum| summed after each step's hooks
  std::unique_ptr<Algorithm> algorithm;
};

// Runs the hooks of `c`'s algorithm for every step (no training: the buffers are what the
// communicator is shown). Momentum is set to ones before each step, so a reset shows as 0.
inline Trace trace(const RunConfig& c, std::int64_t train_size = 1000) {
  const Timeline timeline(c, train_size);
  const int block = c.algorithm.block_size;
  RecordingCommunicator comm(c.algorithm.workers, block);
  Replicas replicas(c, DataShape{1, 12, 12, 4}, c.algorithm.workers, 1);
  FlatSgd optimizer(c.optimizer, replicas.layout, c.algorithm.workers);
  comm.identify = [&](const torch::Tensor& t) {
    if (t.data_ptr() == replicas.params.data_ptr()) return Buffer::kParams;
    if (t.data_ptr() == replicas.grads.data_ptr()) return Buffer::kGrads;
    if (t.data_ptr() == replicas.bn_stats.data_ptr()) return Buffer::kBnStats;
    if (t.data_ptr() == optimizer.momentum().data_ptr()) return Buffer::kMomentum;
    return Buffer::kOther;
  };
  const SyncPolicy policy = SyncPolicy::from(c);
  Trace out;
  out.algorithm = make_algorithm(c, timeline);
  for (std::int64_t step = 0; step < timeline.total_steps(); ++step) {
    optimizer.momentum().fill_(1.0);
    StepContext context{step, timeline.learning_rate(step), replicas, optimizer, comm, policy};
    comm.calls.clear();
    out.algorithm->after_backward(context);
    out.algorithm->after_update(context);
    for (const auto& [buffer, g] : comm.calls)
      out.exchanges.push_back({step, buffer, g == c.algorithm.workers ? CommLevel::kGlobal : CommLevel::kBlock});
    out.momentum_after.push_back(optimizer.momentum().abs().sum().item<double>());
  }
  return out;
}

inline std::vector<std::int64_t> steps_of(const Trace& t, Buffer b, CommLevel level = CommLevel::kGlobal) {
  std::vector<std::int64_t> out;
  for (const auto& e : t.exchanges)
    if (e.buffer == b && e.level == level) out.push_back(e.step);
  return out;
}

inline std::vector<std::int64_t> every_step(std::int64_t n) {
  std::vector<std::int64_t> out(n);
  for (std::int64_t s = 0; s < n; ++s) out[s] = s;
  return out;
}

}  // namespace localsgd::testing
