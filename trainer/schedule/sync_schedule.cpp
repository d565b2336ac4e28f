#include "schedule/sync_schedule.h"

#include <stdexcept>
#include <string>

namespace localsgd {

LocalStepsFn constant_local_steps(std::int64_t h) {
  return [h](std::int64_t) { return h; };
}

SyncSchedule::SyncSchedule(std::int64_t total_steps, std::vector<SyncPhase> phases, std::int64_t block_steps)
    : phases_(std::move(phases)), after_(static_cast<std::size_t>(std::max<std::int64_t>(total_steps, 0)), Sync::kNone) {
  if (phases_.empty() || phases_[0].start != 0) throw std::invalid_argument("SyncSchedule: the first phase must start at step 0");
  if (block_steps < 1) throw std::invalid_argument("SyncSchedule: block_steps must be >= 1");
  for (std::size_t p = 0; p < phases_.size(); ++p) {
    const std::int64_t start = phases_[p].start;
    const std::int64_t end = p + 1 < phases_.size() ? phases_[p + 1].start : total_steps;
    if (end < start) throw std::invalid_argument("SyncSchedule: phase starts must ascend");
    std::int64_t point = start, index = 0;
    while (point < end) {
      const std::int64_t h = phases_[p].local_steps(point);
      if (h < 1) throw std::invalid_argument("SyncSchedule: H must be >= 1 (got " + std::to_string(h) + ")");
      point += h;
      ++index;
      if (point > end) break;  // the next phase counts from its own start
      after_[point - 1] = index % block_steps == 0 ? Sync::kGlobal : Sync::kBlock;
    }
  }
  if (total_steps > 0) after_.back() = Sync::kGlobal;
}

std::int64_t SyncSchedule::local_steps(std::int64_t step) const {
  std::size_t p = 0;
  while (p + 1 < phases_.size() && phases_[p + 1].start <= step) ++p;
  return phases_[p].local_steps(step);
}

}  // namespace localsgd
