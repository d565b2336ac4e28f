// Defines CommMeter: what a run's communication costs, kept apart from the transports that move
// the bytes. Per level (the global link, the link inside a block) it counts rounds, the bytes a
// worker sends as the algorithm encodes them (a 1-bit payload counts 1 bit an element), wall
// seconds and the cost model's seconds; it also holds the injected delay of Figure 19, the
// straggling workers' clocks (straggler_clocks.h) and the number of transport calls, which is
// what "no collective between syncs" is tested against.
#pragma once

#include <torch/torch.h>

#include <array>
#include <cstdint>

#include "comm/comm_cost_model.h"
#include "comm/straggler_clocks.h"

namespace localsgd {

// Which link a collective uses: the cost model has constants per level.
enum class CommLevel { kGlobal = 0, kBlock = 1 };

struct CommStats {
  std::int64_t rounds = 0;         // collectives
  std::int64_t bytes = 0;          // bytes one worker sends (ring all-reduce: 2 (g-1)/g x payload)
  std::int64_t payload_bytes = 0;  // the payloads as sent, summed over calls
  double seconds = 0;              // wall time inside the collectives
  double modelled_seconds = 0;     // what the cost model charges for the same calls
  // As nccl-tests define them: algbw = payload / time; busbw = algbw x 2 (g-1)/g = sent / time.
  double algbw_gbps() const { return seconds > 0 ? payload_bytes / seconds / 1e9 : 0; }
  double busbw_gbps() const { return seconds > 0 ? bytes / seconds / 1e9 : 0; }
};

class CommMeter {
 public:
  void set_cost_model(const LinkCost& global, const LinkCost& block) { costs_ = {global, block}; }
  // One all-reduce over groups of `group_size` workers of a `payload`-byte buffer per worker.
  void charge_all_reduce(CommLevel level, int group_size, std::int64_t payload, double seconds);
  // One gossip exchange: a `payload`-byte row sent to each of `neighbours` workers.
  void charge_exchange(CommLevel level, int neighbours, std::int64_t payload, double seconds);
  // Figure 19's slow network: seconds added to every global average (slept when distributed).
  void inject_delay(double seconds) { injected_delay_ += seconds; }
  void count_call() { ++calls_; }
  // Slow workers (comm.straggler_*): advanced each step, synchronised by every collective.
  void set_stragglers(StragglerClocks clocks) { stragglers_ = std::move(clocks); }
  StragglerClocks& stragglers() { return stragglers_; }
  const StragglerClocks& stragglers() const { return stragglers_; }

  const CommStats& stats(CommLevel level) const { return stats_[static_cast<int>(level)]; }
  double injected_delay_seconds() const { return injected_delay_; }
  double modelled_seconds() const { return stats_[0].modelled_seconds + stats_[1].modelled_seconds; }
  // Every call into a transport (collectives, gathers, the evaluation's mean) by this process.
  std::int64_t calls() const { return calls_; }

  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  std::array<CommStats, 2> stats_{};
  std::array<LinkCost, 2> costs_{};
  double injected_delay_ = 0;
  StragglerClocks stragglers_;
  std::int64_t calls_ = 0;
};

}  // namespace localsgd
