// Defines the communication cost model that turns a simulated run's all-reduces into time
// (the paper's App. E: C * log2 K per all-reduce, C1 inside a node, C2 across nodes):
// each all-reduce over g workers costs ceil(log2 g) x (latency + payload / bandwidth), or with
// a flat cost (comm.allreduce_cost = "flat") latency + payload / bandwidth whatever g: the
// discrete time units of the convex illustration (Figure 6), where a communication costs 25.
// Every constant comes from the config ([comm]); measured runs report measured time instead.
#pragma once

#include <cmath>
#include <cstdint>

namespace localsgd {

struct LinkCost {
  double latency_seconds = 0;
  double bytes_per_second = 0;  // 0 = free
  bool tree = true;             // ceil(log2 g) rounds per all-reduce; false: one
};

inline double allreduce_seconds(const LinkCost& link, int group_size, std::int64_t payload_bytes) {
  if (group_size <= 1) return 0;
  const double steps = link.tree ? std::ceil(std::log2(static_cast<double>(group_size))) : 1.0;
  const double transfer = link.bytes_per_second > 0 ? payload_bytes / link.bytes_per_second : 0;
  return steps * (link.latency_seconds + transfer);
}

}  // namespace localsgd
