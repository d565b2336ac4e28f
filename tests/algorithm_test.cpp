// Each registered algorithm's hooks, run over every step of a hand case with a communicator
// that records what is exchanged: which buffer (parameters, gradients, BN statistics, momentum),
// at which level and after which step, against sync points worked out by hand. Also each sync
// policy key: a test per key fails if the key is ignored.
#include <gtest/gtest.h>

#include <set>

#include "algorithm_trace.h"

namespace localsgd {
namespace {

using namespace testing;

TEST(AlgorithmTest, RegistryListsTheKindsAndRejectsOthers) {
  std::string names;
  for (const auto& k : algorithm_kinds()) names += (names.empty() ? "" : ", ") + k.schema.name;
  EXPECT_EQ(names.rfind("minibatch, local, postlocal, hierarchical", 0), 0u) << names;
  RunConfig c = hand_case("local", 1);
  c.algorithm.kind = "gossip";
  try {
    make_algorithm(c, Timeline(c, 1000));
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "algorithm.kind: unknown algorithm 'gossip' (expected " + names + ")");
  }
}

TEST(AlgorithmTest, MinibatchAveragesGradientsEveryStepAndNeverParameters) {
  const Trace t = trace(hand_case("minibatch", 1));
  EXPECT_EQ(steps_of(t, Buffer::kGrads), every_step(100));
  EXPECT_TRUE(steps_of(t, Buffer::kParams).empty());
  EXPECT_TRUE(steps_of(t, Buffer::kBnStats).empty());  // bn_stats = local
  for (std::int64_t s = 0; s < 100; ++s) EXPECT_EQ(t.algorithm->local_steps(s), 1);
}

TEST(AlgorithmTest, LocalSgdSyncsEveryHStepsAndAtTheEnd) {
  const Trace t = trace(hand_case("local", 8));
  std::vector<std::int64_t> expected;
  for (std::int64_t s = 7; s < 100; s += 8) expected.push_back(s);  // after steps 8, 16, ..., 96
  expected.push_back(99);                                             // and the last one
  EXPECT_EQ(steps_of(t, Buffer::kParams), expected);
  EXPECT_TRUE(steps_of(t, Buffer::kGrads).empty());
  EXPECT_EQ(t.algorithm->local_steps(0), 8);
  EXPECT_LT(t.algorithm->local_from_epoch(), 0);
}

TEST(AlgorithmTest, PostLocalSwitchesAtFirstDecayAndCountsFromThere) {
  const Trace t = trace(hand_case("postlocal", 16));
  std::vector<std::int64_t> expected = every_step(50);
  // From step 50: sync after steps 65, 81, 97 (16 local steps each), then the final step 99.
  expected.insert(expected.end(), {65, 81, 97, 99});
  EXPECT_EQ(steps_of(t, Buffer::kParams), expected);
  EXPECT_EQ(t.algorithm->local_steps(49), 1);
  EXPECT_EQ(t.algorithm->local_steps(50), 16);
  EXPECT_DOUBLE_EQ(t.algorithm->local_from_epoch(), 5.0);
}

TEST(AlgorithmTest, PostLocalSwitchAtConfiguredEpoch) {
  RunConfig c = hand_case("postlocal", 4);
  c.algorithm.switch_epoch = 3.05;  // first step with >= 3.05 epochs done is 31
  const Trace t = trace(c);
  const auto syncs = steps_of(t, Buffer::kParams);
  const std::set<std::int64_t> at(syncs.begin(), syncs.end());
  EXPECT_TRUE(at.count(30));
  EXPECT_FALSE(at.count(31));
  EXPECT_TRUE(at.count(34));  // 31 + 4 - 1
  EXPECT_DOUBLE_EQ(t.algorithm->local_from_epoch(), 3.1);
}

TEST(AlgorithmTest, HierarchicalBlockEveryHGlobalEveryHTimesHb) {
  RunConfig c = hand_case("hierarchical", 2);
  c.algorithm.block_size = 2;
  c.algorithm.block_steps = 4;  // block after steps 2, 4, 6; global after 8, 16, ...
  const Trace t = trace(c);
  std::vector<std::int64_t> global, block;
  for (std::int64_t done = 1; done <= 100; ++done) {
    if (done % 8 == 0 || done == 100) global.push_back(done - 1);
    else if (done % 2 == 0) block.push_back(done - 1);
  }
  EXPECT_EQ(steps_of(t, Buffer::kParams, CommLevel::kGlobal), global);
  EXPECT_EQ(steps_of(t, Buffer::kParams, CommLevel::kBlock), block);
}

// ---- the sync policy keys: each test fails if its key is ignored

TEST(AlgorithmTest, BnStatsAverageIsAveragedWithEveryParameterSync) {
  RunConfig c = hand_case("local", 8);
  c.algorithm.bn_stats = "average";
  const Trace t = trace(c);
  EXPECT_EQ(steps_of(t, Buffer::kBnStats), steps_of(t, Buffer::kParams));
  EXPECT_FALSE(steps_of(t, Buffer::kBnStats).empty());
}

TEST(AlgorithmTest, BnStatsAverageIsAveragedWithEveryGradientAverageInMinibatch) {
  RunConfig c = hand_case("minibatch", 1);
  c.algorithm.bn_stats = "average";
  EXPECT_EQ(steps_of(trace(c), Buffer::kBnStats), every_step(100));
}

TEST(AlgorithmTest, MomentumAverageIsAveragedAtEverySyncAtItsLevel) {
  RunConfig c = hand_case("hierarchical", 2);
  c.algorithm.block_size = 2;
  c.algorithm.block_steps = 4;
  c.algorithm.momentum = "average";
  const Trace t = trace(c);
  EXPECT_EQ(steps_of(t, Buffer::kMomentum, CommLevel::kGlobal), steps_of(t, Buffer::kParams, CommLevel::kGlobal));
  EXPECT_EQ(steps_of(t, Buffer::kMomentum, CommLevel::kBlock), steps_of(t, Buffer::kParams, CommLevel::kBlock));
  EXPECT_FALSE(steps_of(t, Buffer::kMomentum, CommLevel::kBlock).empty());
}

TEST(AlgorithmTest, MomentumResetZeroesItAtSyncsOnly) {
  RunConfig c = hand_case("local", 8);
  c.algorithm.momentum = "reset";
  const Trace t = trace(c);
  const auto syncs = steps_of(t, Buffer::kParams);
  const std::set<std::int64_t> at(syncs.begin(), syncs.end());
  for (std::int64_t s = 0; s < 100; ++s) {
    if (at.count(s)) EXPECT_EQ(t.momentum_after[s], 0.0) << s;
    else EXPECT_GT(t.momentum_after[s], 0.0) << s;
  }
  EXPECT_TRUE(steps_of(t, Buffer::kMomentum).empty());  // reset exchanges nothing
}

TEST(AlgorithmTest, LocalMomentumAndBnStatsStayLocal) {
  const Trace t = trace(hand_case("local", 8));
  EXPECT_TRUE(steps_of(t, Buffer::kMomentum).empty());
  EXPECT_TRUE(steps_of(t, Buffer::kBnStats).empty());
  for (double m : t.momentum_after) EXPECT_GT(m, 0.0);
}

}  // namespace
}  // namespace localsgd

