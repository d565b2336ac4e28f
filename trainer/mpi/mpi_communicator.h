// Defines MpiCommunicator: one worker per MPI rank; average() is a ring all-reduce
// (reduce-scatter, then all-gather) over all ranks or over the rank's block, summing in
// ring_order_mean()'s order so MPI runs are bit-identical to simulated ones.
#pragma once

#include <mpi.h>

#include <vector>

#include "communicator.h"
#include "mpi/mpi_session.h"

namespace localsgd {

class MpiCommunicator : public Communicator {
 public:
  // block_size > 0: blocks of that many consecutive ranks (must divide the world size).
  // block_size == 0: one block per node; nodes must hold equally many consecutive ranks.
  // Collective over MPI_COMM_WORLD. Must be destroyed before the session.
  MpiCommunicator(const MpiSession& session, int block_size);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int world_size() const override { return size_; }
  int local_workers() const override { return 1; }
  int first_worker() const override { return rank_; }
  std::string name() const override { return "mpi"; }

  // Every rank's values concatenated in rank order (ranks may contribute different counts).
  std::vector<double> gather_all(const std::vector<double>& mine) const;
  std::vector<double> all_gather(const std::vector<double>& mine) override { return gather_all(mine); }
  void barrier() const;

 protected:
  // rows: [1, n] float32 or float64 on the CPU.
  void average_rows(torch::Tensor& rows, CommLevel level) override;

 private:
  int rank_, size_;
  MPI_Comm world_ = MPI_COMM_NULL;  // a duplicate: our traffic never matches a user's messages
  MPI_Comm block_ = MPI_COMM_NULL;
  std::vector<unsigned char> receive_;  // one chunk; grown only when a larger chunk arrives
};

}  // namespace localsgd
