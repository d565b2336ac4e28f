#include "util/threads.h"

#include <sched.h>
#include <torch/torch.h>

#include <thread>

namespace localsgd {

int available_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

int apply_thread_count(int configured) {
  const int threads = configured > 0 ? configured : available_cpus();
  torch::set_num_threads(threads);
  return threads;
}

}  // namespace localsgd
