// Defines PeriodicAveraging: the algorithms whose workers take local steps and average their
// parameters at the sync points of a SyncSchedule (local, post-local and hierarchical SGD, and
// any variant that only changes H over the steps). They differ only in the schedule they build.
#pragma once

#include "algo/algorithm.h"
#include "schedule/sync_schedule.h"

namespace localsgd {

class PeriodicAveraging : public Algorithm {
 public:
  explicit PeriodicAveraging(SyncSchedule schedule) : schedule_(std::move(schedule)) {}
  std::int64_t local_steps(std::int64_t step) const override { return schedule_.local_steps(step); }
  void after_update(StepContext& c) override {
    switch (schedule_.after(c.step)) {
      case Sync::kNone: break;
      case Sync::kBlock: average_parameters(c, CommLevel::kBlock); break;
      case Sync::kGlobal: average_parameters(c, CommLevel::kGlobal); break;
    }
  }
  const SyncSchedule& schedule() const { return schedule_; }

 private:
  SyncSchedule schedule_;
};

}  // namespace localsgd
