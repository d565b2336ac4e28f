// Defines SyncSchedule: after which steps local SGD's workers exchange parameters, a pure
// function of the step computed once. Training is cut into phases (post-local SGD has two),
// each with H given as a function of the step, so H may vary (local-step warm-up). Sync points
// are counted from the phase start: s_0 = start, s_{i+1} = s_i + H(s_i), the exchange following
// step s_i - 1; a sync point past the phase's end is dropped. With blocks (hierarchical SGD) every sync point averages
// within the blocks and every block_steps-th one globally. The last step always averages
// globally, so the final model is the average.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace localsgd {

// What follows a step: nothing, an average within each block of workers, or over all workers.
enum class Sync { kNone, kBlock, kGlobal };

// H in force at a step (>= 1).
using LocalStepsFn = std::function<std::int64_t(std::int64_t step)>;

struct SyncPhase {
  std::int64_t start;        // first step of the phase
  LocalStepsFn local_steps;  // H(step) within it
};

// H constant over the phase.
LocalStepsFn constant_local_steps(std::int64_t h);

class SyncSchedule {
 public:
  // phases: ascending starts, the first at step 0. block_steps: H^b (1 = no blocks).
  SyncSchedule(std::int64_t total_steps, std::vector<SyncPhase> phases, std::int64_t block_steps = 1);
  Sync after(std::int64_t step) const { return after_.at(step); }
  // H in force at `step` (what the records report).
  std::int64_t local_steps(std::int64_t step) const;
  std::int64_t total_steps() const { return static_cast<std::int64_t>(after_.size()); }

 private:
  std::vector<SyncPhase> phases_;
  std::vector<Sync> after_;  // [total_steps]
};

}  // namespace localsgd
