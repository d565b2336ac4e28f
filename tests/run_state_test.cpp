// RunState: a run saved after some steps and loaded into a fresh trainer continues exactly as
// the uninterrupted run does (parameters, BN statistics and records bit for bit), for every
// algorithm; a state of another shape is refused.
#include <gtest/gtest.h>

#include <sstream>

#include "run/trainer.h"
#include "resume_check.h"

namespace localsgd {
namespace {

using testing::expect_resume_is_exact;

RunConfig with_evaluations(const std::string& kind, std::int64_t h) {
  RunConfig c = testing::quick_config(kind, 4, h);
  c.run.epochs = 3;  // 30 steps of 4 x 8 samples
  c.run.eval_every_epochs = 0.5;
  c.schedule.decay_at = {0.5};
  c.schedule.decay_factor = 0.1;
  c.algorithm.momentum = "local";
  return c;
}

TEST(RunStateTest, LocalSgdResumesBetweenSyncs) { expect_resume_is_exact(with_evaluations("local", 4), 13); }
TEST(RunStateTest, MinibatchResumesMidEpoch) { expect_resume_is_exact(with_evaluations("minibatch", 1), 7); }
TEST(RunStateTest, PostLocalResumesAroundTheSwitch) {
  expect_resume_is_exact(with_evaluations("postlocal", 4), 15);  // the switch is at step 15
  expect_resume_is_exact(with_evaluations("postlocal", 4), 17);
}
// Stacked passes keep no state of their own: the flat rows are loaded and copied in at the next step.
TEST(RunStateTest, StackedPassesResumeBetweenSyncs) {
  RunConfig c = with_evaluations("local", 4);
  c.run.worker_passes = "stacked";
  expect_resume_is_exact(c, 13);
}
TEST(RunStateTest, HierarchicalResumesWithPolicies) {
  RunConfig c = with_evaluations("hierarchical", 2);
  c.algorithm.block_size = 2;
  c.algorithm.block_steps = 2;
  c.algorithm.momentum = "average";
  c.algorithm.bn_stats = "average";
  expect_resume_is_exact(c, 11);
}

TEST(RunStateTest, AStateOfAnotherShapeIsRefused) {
  const auto data = testing::synthetic_data(/*train=*/320, /*test=*/32);
  Trainer small(testing::quick_config("local", 4, 2), data);
  std::stringstream saved;
  {
    torch::serialize::OutputArchive archive;
    small.state().save(archive);
    archive.save_to(saved);
  }
  RunConfig wider = testing::quick_config("local", 4, 2);
  wider.model.width = 0.5;
  Trainer other(wider, data);
  torch::serialize::InputArchive archive;
  archive.load_from(saved);
  EXPECT_THROW(other.state().load(archive), std::runtime_error);
}

}  // namespace
}  // namespace localsgd
