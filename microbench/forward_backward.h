// Times one training iteration's compute, forward + loss + backward (no optimizer step, no
// communication), of a run's model on synthetic images of its dataset's shape: Table 7's
// "forward+backward time vs mini-batch size", measured on the machine the suite runs on.
#pragma once

#include <cstdint>
#include <vector>

#include "config/config.h"

namespace localsgd {

struct ForwardBackwardTime {
  std::int64_t batch = 0;
  int iterations = 0;            // timed, after the warm-up ones
  double median_seconds = 0;     // per iteration
  double min_seconds = 0, max_seconds = 0;
};

// For each batch size: `warmup` untimed iterations, then iterations until both `min_iterations`
// and `min_seconds` of timed work are reached. Intra-op threads follow config.run.threads.
std::vector<ForwardBackwardTime> time_forward_backward(const RunConfig& config, const std::vector<std::int64_t>& batches,
                                                       int warmup = 2, int min_iterations = 5, double min_seconds = 1.0);

}  // namespace localsgd
