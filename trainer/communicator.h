// Defines Communicator: how the K workers' flat buffers are averaged. A process holds one row
// per worker it runs ([local_workers, n]); average() replaces every row by the mean over all K
// workers. Implementations: simulated (all K rows in one process); MPI and NCCL follow.
// Every call is counted as a real cluster would pay for it (ring all-reduce volume).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>

namespace localsgd {

struct CommStats {
  std::int64_t rounds = 0;  // all-reduce calls
  std::int64_t bytes = 0;   // bytes one worker sends: 2 (K-1)/K x payload per ring all-reduce
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int world_size() const = 0;      // K
  virtual int local_workers() const = 0;   // rows held by this process
  virtual int first_worker() const = 0;    // global index of row 0

  // rows: [local_workers, n], contiguous. Counted in stats().
  void average(torch::Tensor& rows);
  const CommStats& stats() const { return stats_; }

 protected:
  virtual void average_rows(torch::Tensor& rows) = 0;

 private:
  CommStats stats_;
};

// All K workers in this process; the mean sums rows in worker order, then divides by K, so the
// result does not depend on thread count.
class SimulatedCommunicator : public Communicator {
 public:
  explicit SimulatedCommunicator(int workers);
  int world_size() const override { return workers_; }
  int local_workers() const override { return workers_; }
  int first_worker() const override { return 0; }

 protected:
  void average_rows(torch::Tensor& rows) override;

 private:
  int workers_;
  torch::Tensor sum_;  // reused between calls of the same size
};

std::unique_ptr<Communicator> make_communicator(int workers);

}  // namespace localsgd
