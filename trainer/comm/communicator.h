// Defines Communicator: how the workers' flat buffers are combined. A process holds one row per
// worker it runs ([local_workers, n]). Collectives run within each group of a WorkerGroups
// partition (the world, hierarchical SGD's blocks, any subset): all_reduce() sums or averages a
// group's rows in ring order (ring_order.h), mix() is gossip's neighbour exchange. The base class
// validates and meters every call (CommMeter, by the level's link); the transports (simulated,
// MPI, NCCL) only move and add bytes, all in the same order, so runs are bit-identical across them.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "comm/comm_meter.h"
#include "comm/mixing_matrix.h"
#include "comm/ring_order.h"
#include "comm/worker_groups.h"

namespace localsgd {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int world_size() const = 0;     // K
  virtual int local_workers() const = 0;  // rows held by this process
  virtual int first_worker() const = 0;   // global index of row 0
  virtual std::string name() const = 0;   // "simulated", "mpi", "nccl"
  // Where this process's tensors live (a GPU for NCCL).
  virtual torch::Device device() const { return torch::kCPU; }
  // Workers in separate processes: waits are real and times are measured, not modelled.
  bool distributed() const { return name() != "simulated"; }
  // Whether this process writes outputs and evaluates (one process does).
  bool is_leader() const { return first_worker() == 0; }

  // The partition a level's averages run over: the world, or the blocks (hierarchical SGD).
  const WorkerGroups& groups(CommLevel level) const { return level == CommLevel::kGlobal ? world_ : blocks_; }
  int block_size() const { return blocks_.largest(); }
  int group_size(CommLevel level) const { return groups(level).largest(); }

  // rows: [local_workers, n], contiguous. Each group's rows become their sum or mean. Metered
  // under `level`; `wire_bytes` is the payload as the algorithm would encode it (default: the
  // buffer's bytes; a packed 1-bit payload says so).
  void all_reduce(torch::Tensor& rows, const WorkerGroups& groups, ReduceOp op, CommLevel level,
                  std::int64_t wire_bytes = -1);
  void average(torch::Tensor& rows, CommLevel level = CommLevel::kGlobal) {
    all_reduce(rows, groups(level), ReduceOp::kMean, level);
  }
  // Gossip: row i becomes sum_j w_ij x_j over its neighbours. Metered under `level`.
  void mix(torch::Tensor& rows, const MixingMatrix& weights, CommLevel level = CommLevel::kGlobal,
           std::int64_t wire_bytes = -1);
  // The mean over all K workers of `rows` into out ([n]), rows unchanged, not metered as
  // traffic: evaluating the averaged model is not training communication.
  void global_mean(const torch::Tensor& rows, torch::Tensor& out);
  // Every worker's values in worker order: this process's `mine` (local_workers() x m values,
  // row-major) followed by the other processes'. For metrics and agreement (divergence).
  std::vector<double> all_gather(const std::vector<double>& mine);

  CommMeter& meter() { return meter_; }
  const CommMeter& meter() const { return meter_; }
  const CommStats& stats(CommLevel level = CommLevel::kGlobal) const { return meter_.stats(level); }

 protected:
  Communicator(int workers, int block_size);
  // Transports: combine within each group; rows as in all_reduce.
  virtual void reduce_rows(torch::Tensor& rows, const WorkerGroups& groups, ReduceOp op) = 0;
  virtual void mix_rows(torch::Tensor& rows, const MixingMatrix& weights) = 0;
  virtual std::vector<double> gather_values(const std::vector<double>& mine) { return mine; }

 private:
  void check_rows(const torch::Tensor& rows, const char* what) const;
  WorkerGroups world_, blocks_;
  CommMeter meter_;
};

// All K workers in this process.
class SimulatedCommunicator : public Communicator {
 public:
  // block_size 0 = all workers in one block.
  SimulatedCommunicator(int workers, int block_size);
  int world_size() const override { return workers_; }
  int local_workers() const override { return workers_; }
  int first_worker() const override { return 0; }
  std::string name() const override { return "simulated"; }

 protected:
  void reduce_rows(torch::Tensor& rows, const WorkerGroups& groups, ReduceOp op) override;
  void mix_rows(torch::Tensor& rows, const MixingMatrix& weights) override;

 private:
  int workers_;
  torch::Tensor scratch_;  // reused between calls of the same size
};

// block_size 0 = all workers in one block.
std::unique_ptr<Communicator> make_communicator(int workers, int block_size = 0);

}  // namespace localsgd
