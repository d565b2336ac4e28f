// Defines Communicator: how workers' flat buffers are averaged. A process holds one row per
// worker it runs ([local_workers, n]); average() replaces every row by the mean over its group:
// all K workers (global level) or its block of block_size() consecutive workers (block level,
// hierarchical local SGD). Every implementation sums a group's rows in the same ring order
// (ring_order_mean), so simulated and distributed runs compute bit-identical averages.
// Every call is counted per level as a real cluster pays for it (ring all-reduce volume).
#pragma once

#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "comm_cost_model.h"

namespace localsgd {

enum class CommLevel { kGlobal = 0, kBlock = 1 };

struct CommStats {
  std::int64_t rounds = 0;  // all-reduce calls
  std::int64_t bytes = 0;   // bytes one worker sends: 2 (g-1)/g x payload per ring all-reduce
  std::int64_t payload_bytes = 0;  // the buffers' sizes, summed over calls
  double seconds = 0;       // wall time spent inside average()
  double modelled_seconds = 0;  // what the cost model charges for the same calls
  // As nccl-tests define them: algbw = payload / time; busbw = algbw x 2 (g-1)/g = sent / time.
  double algbw_gbps() const { return seconds > 0 ? payload_bytes / seconds / 1e9 : 0; }
  double busbw_gbps() const { return seconds > 0 ? bytes / seconds / 1e9 : 0; }
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int world_size() const = 0;     // K
  virtual int local_workers() const = 0;  // rows held by this process
  virtual int first_worker() const = 0;   // global index of row 0
  virtual std::string name() const = 0;   // "simulated", "mpi", "nccl"
  // Workers in separate processes: waits are real and times are measured, not modelled.
  bool distributed() const { return name() != "simulated"; }
  int block_size() const { return block_size_; }
  int group_size(CommLevel level) const { return level == CommLevel::kGlobal ? world_size() : block_size_; }

  // rows: [local_workers, n], contiguous. Counted in stats(level).
  void average(torch::Tensor& rows, CommLevel level = CommLevel::kGlobal);
  // The mean over all K workers of `rows` into out ([n]), rows unchanged, not counted: what
  // evaluating the averaged model costs is not training communication.
  void global_mean(const torch::Tensor& rows, torch::Tensor& out);
  // Every worker's values in worker order: this process's `mine` (local_workers() x m values,
  // row-major) concatenated with the other processes'. Used for metrics and agreement.
  virtual std::vector<double> all_gather(const std::vector<double>& mine) { return mine; }
  // Where this process's tensors live (a GPU for NCCL).
  virtual torch::Device device() const { return torch::kCPU; }
  // Whether this process writes outputs and evaluates (one process does).
  bool is_leader() const { return first_worker() == 0; }
  const CommStats& stats(CommLevel level = CommLevel::kGlobal) const {
    return stats_[static_cast<int>(level)];
  }
  void set_cost_model(const LinkCost& global, const LinkCost& block) { costs_ = {global, block}; }

 protected:
  explicit Communicator(int block_size) : block_size_(block_size) {}
  virtual void average_rows(torch::Tensor& rows, CommLevel level) = 0;

 private:
  int block_size_;
  std::array<CommStats, 2> stats_;
  std::array<LinkCost, 2> costs_{};
};

// The mean of g rows ([g, n]) into out ([n]), summed as a ring all-reduce does: the buffer is
// cut into g chunks (sizes differ by at most one, larger first); chunk c is accumulated
// starting from row c: ((x_c + x_{c+1}) + x_{c+2}) + ... + x_{c-1} (indices mod g), then / g.
void ring_order_mean(const torch::Tensor& rows, torch::Tensor& out);

// All K workers in this process.
class SimulatedCommunicator : public Communicator {
 public:
  SimulatedCommunicator(int workers, int block_size);
  int world_size() const override { return workers_; }
  int local_workers() const override { return workers_; }
  int first_worker() const override { return 0; }
  std::string name() const override { return "simulated"; }

 protected:
  void average_rows(torch::Tensor& rows, CommLevel level) override;

 private:
  int workers_;
  torch::Tensor mean_;  // reused between calls of the same size
};

// block_size 0 = all workers in one block.
std::unique_ptr<Communicator> make_communicator(int workers, int block_size = 0);

}  // namespace localsgd
