// Defines step_generator(): the generator of one worker's draws at one step of a stream (gradient
// noise, sampling with replacement, label noise). A pure function of (run seed, stream, worker,
// step): no two workers or steps share one, a rank draws what the simulated worker draws, and a
// resumed run needs no saved generator state.
#pragma once

#include <ATen/CPUGeneratorImpl.h>

#include <cstdint>

#include "util/seeding.h"

namespace localsgd {

inline at::Generator step_generator(std::uint64_t seed, SeedStream stream, int worker, std::int64_t step) {
  const std::uint64_t worker_seed = derive_seed(seed, stream, static_cast<std::uint64_t>(worker));
  return at::detail::createCPUGenerator(derive_seed(worker_seed, stream, static_cast<std::uint64_t>(step)));
}

}  // namespace localsgd
