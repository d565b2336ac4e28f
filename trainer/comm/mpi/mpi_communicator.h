// Defines MpiCommunicator: one worker per MPI rank. all_reduce() is a ring all-reduce
// (reduce-scatter, then all-gather) within the rank's group, summing in ring_order_reduce()'s
// order, and mix() swaps rows with the gossip neighbours and adds them in mix_rows_in_order()'s
// order, so MPI runs are bit-identical to simulated ones.
#pragma once

#include <mpi.h>

#include <map>
#include <string>
#include <vector>

#include "comm/communicator.h"
#include "comm/mpi/collective_watch.h"
#include "comm/mpi/mpi_session.h"

namespace localsgd {

class MpiCommunicator : public Communicator {
 public:
  // block_size > 0: blocks of that many consecutive ranks (must divide the world size).
  // block_size == 0: one block per node; nodes must hold equally many consecutive ranks.
  // Collective over MPI_COMM_WORLD. Must be destroyed before the session. Every exchange
  // completes within collective_timeout seconds or ends the job naming the stuck rank
  // (CollectiveWatch; 0 = wait forever).
  MpiCommunicator(const MpiSession& session, int block_size, double collective_timeout = 0);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int world_size() const override { return size_; }
  int local_workers() const override { return 1; }
  int first_worker() const override { return rank_; }
  std::string name() const override { return "mpi"; }

  // Every rank's values concatenated in rank order (ranks may contribute different counts).
  std::vector<double> gather_all(const std::vector<double>& mine) const;
  void barrier() const;

 protected:
  // rows: [1, n] float32 or float64 on the CPU.
  void reduce_rows(torch::Tensor& rows, const WorkerGroups& groups, ReduceOp op) override;
  void mix_rows(torch::Tensor& rows, const MixingMatrix& weights) override;
  std::vector<double> gather_values(const std::vector<double>& mine) override { return gather_all(mine); }

 private:
  // The communicator of this rank's group (ranks ordered by their position in it), made on the
  // first use of a partition: collective over the world, as every rank uses partitions alike.
  MPI_Comm group_comm(const WorkerGroups& groups);
  // MPI_Sendrecv as two non-blocking calls completed under the watch.
  void send_receive(const void* out, std::int64_t out_length, void* in, std::int64_t in_length, MPI_Datatype type,
                    int to, int from, int tag, MPI_Comm comm, const char* what);
  int rank_, size_;
  MPI_Comm world_ = MPI_COMM_NULL;  // a duplicate: our traffic never matches a user's messages
  std::map<std::string, MPI_Comm> groups_;  // WorkerGroups::key() -> this rank's group
  std::vector<unsigned char> receive_;  // one chunk; grown only when a larger chunk arrives
  CollectiveWatch watch_;
};

}  // namespace localsgd
