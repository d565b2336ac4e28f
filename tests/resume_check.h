// Shared by the tests of everything a run state holds (algorithms' own state included): a run
// saved after `stop_after` steps and loaded into a fresh trainer finishes exactly as the
// uninterrupted run (parameters, BN statistics and records bit for bit).
#pragma once

#include <gtest/gtest.h>

#include <sstream>

#include "run/trainer.h"
#include "support.h"

namespace localsgd::testing {

struct Finished {
  torch::Tensor params, bn_stats;
  std::vector<std::string> metrics;
};

inline Finished finish(Trainer& trainer) {
  trainer.run(nullptr);
  return {trainer.replicas().params.clone(), trainer.replicas().bn_stats.clone(), trainer.state().metrics_lines};
}

inline void expect_resume_is_exact(const RunConfig& config, std::int64_t stop_after) {
  const auto data = synthetic_data(/*train=*/320, /*test=*/32);
  Trainer whole(config, data);
  const Finished expected = finish(whole);

  Trainer first(config, data);
  first.run(nullptr, nullptr, stop_after);
  std::stringstream saved;
  {
    torch::serialize::OutputArchive archive;
    first.state().save(archive);
    archive.save_to(saved);
  }
  Trainer second(config, data);
  torch::serialize::InputArchive archive;
  archive.load_from(saved);
  second.state().load(archive);
  EXPECT_EQ(second.state().step, stop_after);
  const Finished resumed = finish(second);
  EXPECT_TRUE(torch::equal(resumed.params, expected.params));
  EXPECT_TRUE(torch::equal(resumed.bn_stats, expected.bn_stats));
  EXPECT_EQ(resumed.metrics, expected.metrics);
}

}  // namespace localsgd::testing
