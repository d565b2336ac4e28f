#include "run/memory_check.h"

#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "models/model_registry.h"

namespace localsgd {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// A number of bytes in `path` (cgroup files hold one, or "max").
std::int64_t read_limit(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return std::numeric_limits<std::int64_t>::max();
  try {
    return std::stoll(text);
  } catch (const std::exception&) {
    return std::numeric_limits<std::int64_t>::max();
  }
}

std::string gib(std::int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", bytes / kGiB);
  return text;
}

}  // namespace

std::int64_t replica_bytes(const RunConfig& config, const DataShape& shape, int local_workers) {
  std::int64_t parameters = 0;
  for (const auto& t : make_model(config, shape)->parameters()) parameters += t.numel();
  return 4 * static_cast<std::int64_t>(sizeof(float)) * parameters * local_workers;
}

std::int64_t available_memory_bytes() {
  std::int64_t available = std::numeric_limits<std::int64_t>::max();
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    std::istringstream fields(line);
    std::string key;
    std::int64_t kib = 0;
    if (fields >> key >> kib && key == "MemAvailable:") available = kib * 1024;
  }
  const std::int64_t limit = read_limit("/sys/fs/cgroup/memory.max");
  const std::int64_t used = read_limit("/sys/fs/cgroup/memory.current");
  if (limit != std::numeric_limits<std::int64_t>::max() && used <= limit) available = std::min(available, limit - used);
  return available;
}

void check_replicas_fit(const RunConfig& config, const DataShape& shape, int local_workers) {
  const std::int64_t needed = replica_bytes(config, shape, local_workers), available = available_memory_bytes();
  if (needed <= available) return;
  throw ConfigError("algorithm.workers: " + std::to_string(local_workers) + " workers of this model need at least " +
                    gib(needed) + " (parameters, gradients, momentum and update: 16 bytes per parameter each), " +
                    "more than the " + gib(available) + " this process may still allocate; use fewer workers, " +
                    "a smaller model, or one MPI rank per worker");
}

}  // namespace localsgd
