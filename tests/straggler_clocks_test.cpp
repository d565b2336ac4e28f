// Straggling workers (comm.straggler_*): the draws' frequency and per-worker streams, the wait
// of a synchronous collective against sums and maxima written out in the tests, and a run's
// recorded straggler time against the same sums over its own sync schedule.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "comm/straggler_clocks.h"
#include "run/trainer.h"
#include "support.h"

namespace localsgd {
namespace {

using testing::quick_config;
using testing::synthetic_data;

TEST(StragglerClocksTest, AWorkerStragglesWithTheGivenProbability) {
  const StragglerClocks clocks(4, 0.25, 2.0, 7);
  int slow = 0;
  const int steps = 40000;
  for (int t = 0; t < steps; ++t) {
    const double d = clocks.delay(1, t);
    ASSERT_TRUE(d == 0.0 || d == 2.0);
    slow += d > 0;
  }
  EXPECT_NEAR(static_cast<double>(slow) / steps, 0.25, 0.01);  // binomial sd 0.002
}

TEST(StragglerClocksTest, EveryWorkerHasItsOwnDraws) {
  const StragglerClocks clocks(3, 0.5, 1.0, 7), other_seed(3, 0.5, 1.0, 8);
  std::vector<double> w0, w1, w2, seed8;
  for (int t = 0; t < 200; ++t) {
    w0.push_back(clocks.delay(0, t));
    w1.push_back(clocks.delay(1, t));
    w2.push_back(clocks.delay(2, t));
    seed8.push_back(other_seed.delay(0, t));
  }
  EXPECT_NE(w0, w1);
  EXPECT_NE(w1, w2);
  EXPECT_NE(w0, seed8);
}

// A collective every step pays the slowest worker of every step; one every H steps pays the
// slowest worker's sum over the H steps; blocks of 2 then pay within blocks, the world at the end.
TEST(StragglerClocksTest, ACollectiveWaitsForItsSlowestMember) {
  const int K = 4, steps = 24, H = 6;
  const StragglerClocks draws(K, 0.3, 1.0, 11);
  double every_step = 0, every_h = 0;
  for (int t = 0; t < steps; ++t) {
    double slowest = 0;
    for (int k = 0; k < K; ++k) slowest = std::max(slowest, draws.delay(k, t));
    every_step += slowest;
  }
  for (int round = 0; round < steps / H; ++round) {
    double slowest = 0;
    for (int k = 0; k < K; ++k) {
      double sum = 0;
      for (int t = round * H; t < (round + 1) * H; ++t) sum += draws.delay(k, t);
      slowest = std::max(slowest, sum);
    }
    every_h += slowest;
  }
  StragglerClocks minibatch(K, 0.3, 1.0, 11), local(K, 0.3, 1.0, 11);
  const WorkerGroups world = WorkerGroups::world(K);
  for (int t = 0; t < steps; ++t) {
    minibatch.advance(t);
    minibatch.synchronise(world);
    local.advance(t);
    if ((t + 1) % H == 0) local.synchronise(world);
  }
  EXPECT_DOUBLE_EQ(minibatch.seconds(), every_step);
  EXPECT_DOUBLE_EQ(local.seconds(), every_h);
  EXPECT_LT(every_h, every_step);  // local SGD's point (Figure 19 (c)), for this seed

  // Without any collective the run takes as long as its slowest worker's own sum.
  StragglerClocks alone(K, 0.3, 1.0, 11);
  double slowest_sum = 0;
  for (int k = 0; k < K; ++k) {
    double sum = 0;
    for (int t = 0; t < steps; ++t) sum += draws.delay(k, t);
    slowest_sum = std::max(slowest_sum, sum);
  }
  for (int t = 0; t < steps; ++t) alone.advance(t);
  EXPECT_DOUBLE_EQ(alone.seconds(), slowest_sum);

  // Blocks {0,1} and {2,3}: each block's clocks become its own maximum, not the world's.
  StragglerClocks blocks(K, 1.0, 1.0, 11);
  blocks.advance(0);
  blocks.synchronise(WorkerGroups(K, {{0, 1}, {2, 3}}));
  EXPECT_DOUBLE_EQ(blocks.seconds(), 1.0);
}

TEST(StragglerClocksTest, ClocksSurviveATensorRoundTrip) {
  StragglerClocks a(3, 0.5, 1.5, 3), b(3, 0.5, 1.5, 3);
  for (int t = 0; t < 10; ++t) a.advance(t);
  b.from_tensor(a.to_tensor());
  for (int t = 10; t < 20; ++t) a.advance(t), b.advance(t);
  EXPECT_EQ(a.seconds(), b.seconds());
  EXPECT_THROW(StragglerClocks(2, 0.5, 1.5, 3).from_tensor(a.to_tensor()), std::runtime_error);
}

// A simulated mini-batch run: a gradient average every step, so the recorded straggler time is
// the sum over its steps of the slowest worker's delay, and the modelled time includes it.
TEST(StragglerClocksTest, AMiniBatchRunPaysTheSlowestWorkerEveryStep) {
  const auto data = synthetic_data();
  RunConfig config = quick_config("minibatch", 4, 1);
  config.comm.straggler_probability = 0.2;
  config.comm.straggler_seconds = 3.0;
  Trainer trainer(config, data);
  std::vector<EvalRecord> records;
  trainer.run([&](const EvalRecord& r) { records.push_back(r); });
  ASSERT_EQ(records.size(), 1u);
  const StragglerClocks draws(4, 0.2, 3.0, config.run.seed);
  double expected = 0;
  for (std::int64_t t = 0; t < records[0].step; ++t) {
    double slowest = 0;
    for (int k = 0; k < 4; ++k) slowest = std::max(slowest, draws.delay(k, t));
    expected += slowest;
  }
  EXPECT_GT(expected, 0.0);
  EXPECT_DOUBLE_EQ(records[0].straggler_seconds, expected);
  EXPECT_DOUBLE_EQ(records[0].modelled_seconds() - records[0].modelled_compute_seconds() -
                       records[0].modelled_comm_seconds - records[0].injected_delay_seconds,
                   expected);

  RunConfig none = quick_config("minibatch", 4, 1);
  Trainer plain(none, data);
  std::vector<EvalRecord> plain_records;
  plain.run([&](const EvalRecord& r) { plain_records.push_back(r); });
  EXPECT_LT(plain_records[0].straggler_seconds, 0.0);  // none: not recorded
}

}  // namespace
}  // namespace localsgd
