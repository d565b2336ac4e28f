// Defines check_replicas_fit: refuses, before anything is allocated, a run whose replicas cannot
// fit in this machine's memory (thousands of workers of a large model would otherwise fail
// with bad_alloc after minutes, or be killed by the kernel's OOM killer without a word).
#pragma once

#include <cstdint>

#include "config/config.h"
#include "data/data_shape.h"

namespace localsgd {

// Per local worker: flat rows of P parameters, gradients, momentum and the update direction,
// 4 floats per parameter. Activations and algorithms' copies come on top: a lower bound.
std::int64_t replica_bytes(const RunConfig& config, const DataShape& shape, int local_workers);

// What this process may still allocate: MemAvailable, or less under a cgroup v2 limit (Slurm's).
std::int64_t available_memory_bytes();

// Throws ConfigError naming algorithm.workers if replica_bytes exceeds available_memory_bytes.
void check_replicas_fit(const RunConfig& config, const DataShape& shape, int local_workers);

}  // namespace localsgd
