#include "comm/comm_meter.h"

#include <string>

namespace localsgd {

void CommMeter::charge_all_reduce(CommLevel level, int group_size, std::int64_t payload, double seconds) {
  CommStats& s = stats_[static_cast<int>(level)];
  s.rounds += 1;
  s.bytes += 2 * (group_size - 1) * payload / group_size;
  s.payload_bytes += payload;
  s.modelled_seconds += allreduce_seconds(costs_[static_cast<int>(level)], group_size, payload);
  s.seconds += seconds;
}

void CommMeter::charge_exchange(CommLevel level, int neighbours, std::int64_t payload, double seconds) {
  CommStats& s = stats_[static_cast<int>(level)];
  const LinkCost& link = costs_[static_cast<int>(level)];
  s.rounds += 1;
  s.bytes += neighbours * payload;
  s.payload_bytes += payload;
  const double transfer = link.bytes_per_second > 0 ? payload / link.bytes_per_second : 0;
  s.modelled_seconds += neighbours * (link.latency_seconds + transfer);
  s.seconds += seconds;
}

namespace {
// The stats as one float64 tensor, for the run state: 5 values per level.
torch::Tensor pack(const std::array<CommStats, 2>& stats) {
  std::vector<double> v;
  for (const auto& s : stats)
    v.insert(v.end(), {static_cast<double>(s.rounds), static_cast<double>(s.bytes),
                       static_cast<double>(s.payload_bytes), s.seconds, s.modelled_seconds});
  return torch::tensor(v, torch::kDouble);
}
}  // namespace

void CommMeter::save(torch::serialize::OutputArchive& archive) const {
  archive.write("stats", pack(stats_));
  archive.write("injected_delay", torch::tensor({injected_delay_}, torch::kDouble));
  archive.write("calls", torch::tensor({calls_}, torch::kLong));
  if (stragglers_.active()) archive.write("straggler_clocks", stragglers_.to_tensor());
}

void CommMeter::load(torch::serialize::InputArchive& archive) {
  torch::Tensor stats, delay, calls;
  archive.read("stats", stats);
  archive.read("injected_delay", delay);
  archive.read("calls", calls);
  if (stats.numel() != 10) throw std::runtime_error("CommMeter: saved stats have " + std::to_string(stats.numel()) + " values, expected 10");
  const auto v = stats.accessor<double, 1>();
  for (int l = 0; l < 2; ++l) {
    CommStats& s = stats_[l];
    s.rounds = static_cast<std::int64_t>(v[5 * l]);
    s.bytes = static_cast<std::int64_t>(v[5 * l + 1]);
    s.payload_bytes = static_cast<std::int64_t>(v[5 * l + 2]);
    s.seconds = v[5 * l + 3];
    s.modelled_seconds = v[5 * l + 4];
  }
  injected_delay_ = delay.item<double>();
  calls_ = calls.item<std::int64_t>();
  torch::Tensor clocks;
  if (stragglers_.active()) {
    if (!archive.try_read("straggler_clocks", clocks))
      throw std::runtime_error("CommMeter: the checkpoint has no straggler clocks, the run has stragglers");
    stragglers_.from_tensor(clocks);
  }
}

}  // namespace localsgd
