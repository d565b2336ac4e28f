#include "util/threads.h"

#include <sched.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace localsgd {
namespace {

// The leading positive integer of an environment variable ("2(x3),1" gives 2), else 0.
int leading_int(const char* name) {
  const char* text = std::getenv(name);
  if (!text) return 0;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  return end != text && value > 0 && value < (1 << 20) ? static_cast<int>(value) : 0;
}

}  // namespace

int available_cpus() {
  const unsigned machine = std::max(1u, std::thread::hardware_concurrency());
  cpu_set_t set;
  int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : static_cast<int>(machine);
  const bool whole_machine = cpus >= static_cast<int>(machine);
  // Slurm's allocation of this task: where Slurm does not confine the mask itself (task/none),
  // the mask is the node's while the job holds a share of it.
  if (const int per_task = leading_int("SLURM_CPUS_PER_TASK")) {
    cpus = std::min(cpus, per_task);
  } else if (const int on_node = leading_int("SLURM_CPUS_ON_NODE")) {
    cpus = std::min(cpus, std::max(1, on_node / std::max(1, leading_int("SLURM_TASKS_PER_NODE"))));
  }
  // Ranks of one job on one node that share an unbound mask (mpirun --bind-to none) split it.
  const int local_ranks = leading_int("OMPI_COMM_WORLD_LOCAL_SIZE");
  if (local_ranks > 1 && whole_machine) cpus = std::min(cpus, std::max(1, static_cast<int>(machine) / local_ranks));
  return std::max(1, cpus);
}

int apply_thread_count(int configured) {
  const int threads = configured > 0 ? configured : available_cpus();
  torch::set_num_threads(threads);
  return threads;
}

}  // namespace localsgd
