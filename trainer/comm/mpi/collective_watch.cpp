#include "comm/mpi/collective_watch.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <numeric>
#include <sstream>
#include <string>

#include "comm/mpi/mpi_session.h"

namespace localsgd {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kReportTag = 7;
constexpr int kExitCode = 1;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// MPI_Abort should end every rank; if the runtime cannot, the alarm still ends this one.
[[noreturn]] void abort_job(MPI_Comm comm) {
  alarm(30);
  MPI_Abort(comm, kExitCode);
  _exit(kExitCode);
}

}  // namespace

CollectiveWatch::CollectiveWatch(MPI_Comm world, double timeout_seconds) : timeout_(timeout_seconds) {
  mpi_check(MPI_Comm_dup(world, &reports_), "MPI_Comm_dup");
  MPI_Comm_set_errhandler(reports_, MPI_ERRORS_RETURN);
  MPI_Comm_rank(reports_, &rank_);
  MPI_Comm_size(reports_, &size_);
}

CollectiveWatch::~CollectiveWatch() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && reports_ != MPI_COMM_NULL) MPI_Comm_free(&reports_);
}

void CollectiveWatch::wait(std::vector<MPI_Request>& requests, const char* what) const {
  const int count = static_cast<int>(requests.size());
  if (timeout_ <= 0) {
    mpi_check(MPI_Waitall(count, requests.data(), MPI_STATUSES_IGNORE), what);
    return;
  }
  const auto start = Clock::now();
  for (long polls = 0;; ++polls) {
    int done = 0;
    mpi_check(MPI_Testall(count, requests.data(), &done, MPI_STATUSES_IGNORE), what);
    if (done) return;
    if (polls % 1024 == 0 && seconds_since(start) > timeout_) end_job(what);
  }
}

std::vector<double> CollectiveWatch::all_gather(MPI_Comm comm, const std::vector<double>& mine) const {
  int size = 1;
  mpi_check(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  const int count = static_cast<int>(mine.size());
  std::vector<int> counts(size), offsets(size, 0);
  std::vector<MPI_Request> request(1);
  mpi_check(MPI_Iallgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm, request.data()), "MPI_Iallgather");
  wait(request, "the all-gather of values (counts)");
  std::partial_sum(counts.begin(), counts.end() - 1, offsets.begin() + 1);
  std::vector<double> all(static_cast<std::size_t>(offsets.back() + counts.back()));
  mpi_check(MPI_Iallgatherv(mine.data(), count, MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE,
                            comm, request.data()),
            "MPI_Iallgatherv");
  wait(request, "the all-gather of values");
  return all;
}

void CollectiveWatch::end_job(const char* what) const {
  std::ostringstream head;
  head << "localsgd-train: rank " << rank_ << ": " << what << " did not complete within " << timeout_
       << " s (comm.collective_timeout)";
  if (rank_ != 0) {
    // Report to rank 0, then give it as long again to end the job before ending it ourselves.
    MPI_Request report;
    MPI_Isend(&rank_, 1, MPI_INT, 0, kReportTag, reports_, &report);
    const auto start = Clock::now();
    while (seconds_since(start) < timeout_) {
      int sent = 0;
      MPI_Test(&report, &sent, MPI_STATUS_IGNORE);
      usleep(1000);
    }
    std::cerr << head.str() << ", and rank 0, which ends the job, did not answer: rank 0 stopped, froze or was "
              << "lost; ending the job\n";
    abort_job(reports_);
  }
  // Rank 0: the ranks that wait report within a short window (they entered about when we did).
  std::vector<bool> answered(size_, false);
  answered[0] = true;
  const double window = std::clamp(timeout_ / 4, 1.0, 30.0);
  const auto start = Clock::now();
  while (seconds_since(start) < window && std::count(answered.begin(), answered.end(), false) > 0) {
    int arrived = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kReportTag, reports_, &arrived, &status);
    if (!arrived) {
      usleep(1000);
      continue;
    }
    int from = -1;
    MPI_Recv(&from, 1, MPI_INT, status.MPI_SOURCE, kReportTag, reports_, MPI_STATUS_IGNORE);
    if (from >= 0 && from < size_) answered[from] = true;
  }
  std::string silent;
  for (int r = 0; r < size_; ++r)
    if (!answered[r]) silent += (silent.empty() ? "" : ", ") + std::to_string(r);
  if (silent.empty())
    std::cerr << head.str() << "; every rank is waiting (ranks in different collectives: a bug, please report "
              << "it); ending the job\n";
  else
    std::cerr << head.str() << "; rank(s) " << silent << " did not answer: stopped, frozen, lost, or busy for "
              << "longer than the timeout (raise comm.collective_timeout if so); ending the job\n";
  abort_job(reports_);
}

}  // namespace localsgd
