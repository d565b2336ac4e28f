// Defines CollectiveWatch: every MPI collective of the trainer completes within a timeout, or the
// job ends saying which rank held it up. A rank that stops (SIGSTOP, a frozen node, a lost link)
// would otherwise hold all the others in their collective forever. Past the timeout, every
// waiting rank reports to rank 0 on a communicator of its own; rank 0 names the ranks that did
// not report (those are the stuck ones) and ends the job with MPI_Abort. If rank 0 is the one
// stuck, the others end the job themselves after waiting as long again, saying so.
#pragma once

#include <mpi.h>

#include <vector>

namespace localsgd {

class CollectiveWatch {
 public:
  // Collective over `world`. timeout_seconds = 0: wait forever (plain MPI_Waitall).
  CollectiveWatch(MPI_Comm world, double timeout_seconds);
  ~CollectiveWatch();
  CollectiveWatch(const CollectiveWatch&) = delete;
  CollectiveWatch& operator=(const CollectiveWatch&) = delete;

  // Completes every request (`what` names the collective in messages); throws on an MPI error.
  void wait(std::vector<MPI_Request>& requests, const char* what) const;
  // Every rank's values on `comm` in rank order (ranks may contribute different counts).
  std::vector<double> all_gather(MPI_Comm comm, const std::vector<double>& mine) const;
  // Past the timeout of `what` (a wait of another library: NCCL's): names the stuck ranks, ends the job.
  [[noreturn]] void end_job(const char* what) const;
  double timeout() const { return timeout_; }

 private:
  MPI_Comm reports_ = MPI_COMM_NULL;
  double timeout_;
  int rank_ = 0, size_ = 1;
};

}  // namespace localsgd
