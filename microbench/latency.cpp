#include "latency.h"

#include <mpi.h>

#include <algorithm>
#include <stdexcept>

#include "median.h"
#include "comm/mpi/mpi_session.h"

namespace localsgd {
namespace {

// One round trip from rank 0; buffer[0] = 1 tells rank 1 to expect another, 0 that this is
// the last one for the current size.
double round_trip(int rank, std::vector<char>& buffer, bool more) {
  const int n = static_cast<int>(buffer.size());
  const double start = MPI_Wtime();
  if (rank == 0) {
    buffer[0] = more ? 1 : 0;
    mpi_check(MPI_Send(buffer.data(), n, MPI_CHAR, 1, 0, MPI_COMM_WORLD), "MPI_Send");
    mpi_check(MPI_Recv(buffer.data(), n, MPI_CHAR, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
  } else {
    mpi_check(MPI_Recv(buffer.data(), n, MPI_CHAR, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    mpi_check(MPI_Send(buffer.data(), n, MPI_CHAR, 0, 0, MPI_COMM_WORLD), "MPI_Send");
  }
  return MPI_Wtime() - start;
}

}  // namespace

std::vector<PingPongTime> time_ping_pong(const std::vector<std::int64_t>& sizes, int min_round_trips,
                                         double min_seconds) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size < 2) throw std::runtime_error("latency needs 2 MPI ranks (mpirun -n 2 / srun --mpi=pmix -n 2), got 1");
  std::vector<PingPongTime> out;
  for (const std::int64_t bytes : sizes) {
    std::vector<char> buffer(static_cast<std::size_t>(std::max<std::int64_t>(bytes, 1)));
    if (rank <= 1) {
      for (int i = 0; i < 10; ++i) round_trip(rank, buffer, true);
      std::vector<double> seconds;
      double total = 0;
      bool more = true;
      while (more) {
        more = rank == 0 ? (static_cast<int>(seconds.size()) + 1 < min_round_trips || total < min_seconds) : true;
        const double t = round_trip(rank, buffer, more);
        if (rank == 1) more = buffer[0] != 0;
        seconds.push_back(t);
        total += t;
      }
      out.push_back({bytes, static_cast<int>(seconds.size()), 0.5 * median(seconds)});
    }
    mpi_check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
  }
  return out;
}

std::vector<std::string> ping_pong_hosts() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  mpi_check(MPI_Get_processor_name(name, &length), "MPI_Get_processor_name");
  if (rank == 1) mpi_check(MPI_Send(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, 1, MPI_COMM_WORLD), "MPI_Send");
  if (rank != 0) return {};
  char other[MPI_MAX_PROCESSOR_NAME] = {};
  mpi_check(MPI_Recv(other, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
  return {std::string(name), std::string(other)};
}

}  // namespace localsgd
