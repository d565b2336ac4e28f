// SyncSchedule against sync points worked out by hand, including an H that varies with the
// step (where a `done % H == 0` rule would be wrong) and a phase boundary.
#include <gtest/gtest.h>

#include "schedule/sync_schedule.h"

namespace localsgd {
namespace {

std::vector<std::int64_t> syncs(const SyncSchedule& s, Sync kind) {
  std::vector<std::int64_t> out;
  for (std::int64_t step = 0; step < s.total_steps(); ++step)
    if (s.after(step) == kind) out.push_back(step);
  return out;
}

TEST(SyncScheduleTest, ConstantHSyncsEveryHStepsAndAtTheEnd) {
  const SyncSchedule s(10, {{0, constant_local_steps(3)}});
  EXPECT_EQ(syncs(s, Sync::kGlobal), (std::vector<std::int64_t>{2, 5, 8, 9}));
  EXPECT_EQ(s.local_steps(4), 3);
}

TEST(SyncScheduleTest, VaryingHCountsFromThePreviousSyncPoint) {
  // H = 1 before step 3, 2 before step 7, then 4: points 1, 2, 3, then 3+2=5, 7, then 7+4=11, 15.
  const LocalStepsFn h = [](std::int64_t step) -> std::int64_t { return step < 3 ? 1 : step < 7 ? 2 : 4; };
  const SyncSchedule s(16, {{0, h}});
  EXPECT_EQ(syncs(s, Sync::kGlobal), (std::vector<std::int64_t>{0, 1, 2, 4, 6, 10, 14, 15}));
  EXPECT_EQ(s.local_steps(5), 2);
  EXPECT_EQ(s.local_steps(12), 4);
}

TEST(SyncScheduleTest, APhaseCountsFromItsOwnStartAndDropsPointsPastItsEnd) {
  // Phase 0: H = 3 over [0, 10): points 3, 6, 9 (12 is past 10). Phase 1: H = 4 from 10: 14, 18.
  const SyncSchedule s(20, {{0, constant_local_steps(3)}, {10, constant_local_steps(4)}});
  EXPECT_EQ(syncs(s, Sync::kGlobal), (std::vector<std::int64_t>{2, 5, 8, 13, 17, 19}));
  EXPECT_EQ(s.local_steps(9), 3);
  EXPECT_EQ(s.local_steps(10), 4);
}

TEST(SyncScheduleTest, BlocksEveryPointGlobalEveryBlockStepsPoints) {
  const SyncSchedule s(12, {{0, constant_local_steps(2)}}, /*block_steps=*/3);
  EXPECT_EQ(syncs(s, Sync::kBlock), (std::vector<std::int64_t>{1, 3, 7, 9}));
  EXPECT_EQ(syncs(s, Sync::kGlobal), (std::vector<std::int64_t>{5, 11}));
}

TEST(SyncScheduleTest, BadSchedulesAreRejected) {
  EXPECT_THROW(SyncSchedule(5, {{1, constant_local_steps(1)}}), std::invalid_argument);
  EXPECT_THROW(SyncSchedule(5, {{0, constant_local_steps(0)}}), std::invalid_argument);
  EXPECT_THROW(SyncSchedule(5, {{0, constant_local_steps(1)}}, 0), std::invalid_argument);
}

}  // namespace
}  // namespace localsgd
