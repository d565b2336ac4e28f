// Throughput of MpiCommunicator::average on a [1, n] float32 buffer (hand-written ring that
// fixes the summation order) against a raw MPI_Allreduce(MPI_SUM) of the same bytes, whose
// algorithm Open MPI picks freely. Prints a Markdown table on rank 0.
//   mpirun -np K localsgd_allreduce_bench [repetitions]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "comm/mpi/mpi_communicator.h"

namespace {

// The median over repetitions of the slowest rank's time (ms): a collective ends with its
// last member. A barrier before each repetition starts all ranks together.
template <typename F>
double median_ms(int warmup, int repetitions, F&& run) {
  for (int i = 0; i < warmup; ++i) run();
  std::vector<double> times;
  for (int i = 0; i < repetitions; ++i) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double start = MPI_Wtime();
    run();
    double mine = (MPI_Wtime() - start) * 1e3, slowest = 0;
    MPI_Allreduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    times.push_back(slowest);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  localsgd::MpiSession session(&argc, &argv);
  const int repetitions = argc > 1 ? std::atoi(argv[1]) : 21, warmup = 3, k = session.size();
  {
    localsgd::MpiCommunicator comm(session, 0);
    torch::manual_seed(1);
    if (session.rank() == 0) {
      std::printf("ranks %d, median of %d repetitions after %d warm-up; algbw = bytes / time, "
                  "busbw = algbw * 2 (ranks - 1) / ranks (nccl-tests)\n\n", k, repetitions, warmup);
      std::printf("| n (floats) | bytes | ranks | flat-buffer ms | MPI_Allreduce ms | ratio | "
                  "flat algbw GB/s | flat busbw GB/s | raw algbw GB/s | raw busbw GB/s |\n");
      std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    }
    for (std::int64_t n : {272474L, 2724740L}) {  // ResNet-20's parameter count, and 10x
      auto row = torch::randn({1, n});
      std::vector<float> raw(row.data_ptr<float>(), row.data_ptr<float>() + n);
      const double flat = median_ms(warmup, repetitions, [&] { comm.average(row); });
      const double mpi = median_ms(warmup, repetitions, [&] {
        localsgd::mpi_check(MPI_Allreduce(MPI_IN_PLACE, raw.data(), static_cast<int>(n), MPI_FLOAT,
                                          MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
      });
      const double bytes = 4.0 * n, bus = 2.0 * (k - 1) / k;
      auto gbps = [&](double ms) { return bytes / (ms * 1e-3) / 1e9; };
      if (session.rank() == 0)
        std::printf("| %lld | %.0f | %d | %.3f | %.3f | %.2f | %.2f | %.2f | %.2f | %.2f |\n",
                    static_cast<long long>(n), bytes, k, flat, mpi, flat / mpi, gbps(flat),
                    gbps(flat) * bus, gbps(mpi), gbps(mpi) * bus);
    }
  }
  return 0;
}
