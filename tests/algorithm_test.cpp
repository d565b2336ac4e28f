// Each registered algorithm's hooks, run over every step of a hand case with a communicator
// that records what is exchanged: which buffer (parameters, gradients, BN statistics, momentum),
// at which level and after which step, against sync points worked out by hand. Also each sync
// policy key: a test per key fails if the key is ignored.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <tuple>

#include "algo/algorithm_registry.h"
#include "algo/periodic_averaging.h"
#include "support.h"

namespace localsgd {
namespace {

enum class Buffer { kParams, kGrads, kBnStats, kMomentum, kOther };

struct Exchange {
  std::int64_t step;
  Buffer buffer;
  CommLevel level;
  bool operator==(const Exchange& o) const { return std::tie(step, buffer, level) == std::tie(o.step, o.buffer, o.level); }
};

// A simulated communicator that also notes every all_reduce (the transport still averages).
class RecordingCommunicator : public SimulatedCommunicator {
 public:
  RecordingCommunicator(int workers, int block) : SimulatedCommunicator(workers, block) {}
  std::function<Buffer(const torch::Tensor&)> identify;
  std::vector<std::pair<Buffer, int>> calls;  // buffer, group size

 protected:
  void reduce_rows(torch::Tensor& rows, const WorkerGroups& groups, ReduceOp op) override {
    calls.emplace_back(identify(rows), groups.largest());
    SimulatedCommunicator::reduce_rows(rows, groups, op);
  }
};

// N = 1000, K = 4, B_loc = 25: 10 steps per epoch, 10 epochs = 100 steps; first decay at epoch 5.
RunConfig hand_case(const std::string& kind, std::int64_t h) {
  RunConfig c = testing::quick_config(kind, 4, h);
  c.run.epochs = 10;
  c.algorithm.local_batch = 25;
  c.schedule.decay_at = {0.5, 0.75};
  return c;
}

struct Trace {
  std::vector<Exchange> exchanges;
  std::vector<double> momentum_after;  // |momentum| summed after each step's hooks
  std::unique_ptr<Algorithm> algorithm;
};

// Runs the hooks of `c`'s algorithm for every step (no training: the buffers are what the
// communicator is shown). Momentum is set to ones before each step, so a reset shows as 0.
Trace trace(const RunConfig& c, std::int64_t train_size = 1000) {
  const Timeline timeline(c, train_size);
  const int block = c.algorithm.block_size;
  RecordingCommunicator comm(c.algorithm.workers, block);
  Replicas replicas(c, DataShape{1, 12, 12, 4}, c.algorithm.workers, 1);
  FlatSgd optimizer(c.optimizer, weight_decay_mask(replicas.layout, c.optimizer), c.algorithm.workers);
  comm.identify = [&](const torch::Tensor& t) {
    if (t.data_ptr() == replicas.params.data_ptr()) return Buffer::kParams;
    if (t.data_ptr() == replicas.grads.data_ptr()) return Buffer::kGrads;
    if (t.data_ptr() == replicas.bn_stats.data_ptr()) return Buffer::kBnStats;
    if (t.data_ptr() == optimizer.momentum().data_ptr()) return Buffer::kMomentum;
    return Buffer::kOther;
  };
  const SyncPolicy policy = SyncPolicy::from(c);
  Trace out;
  out.algorithm = make_algorithm(c, timeline);
  for (std::int64_t step = 0; step < timeline.total_steps(); ++step) {
    optimizer.momentum().fill_(1.0);
    StepContext context{step, timeline.learning_rate(step), replicas, optimizer, comm, policy};
    comm.calls.clear();
    out.algorithm->after_backward(context);
    out.algorithm->after_update(context);
    for (const auto& [buffer, g] : comm.calls)
      out.exchanges.push_back({step, buffer, g == c.algorithm.workers ? CommLevel::kGlobal : CommLevel::kBlock});
    out.momentum_after.push_back(optimizer.momentum().abs().sum().item<double>());
  }
  return out;
}

std::vector<std::int64_t> steps_of(const Trace& t, Buffer b, CommLevel level = CommLevel::kGlobal) {
  std::vector<std::int64_t> out;
  for (const auto& e : t.exchanges)
    if (e.buffer == b && e.level == level) out.push_back(e.step);
  return out;
}

std::vector<std::int64_t> every_step(std::int64_t n) {
  std::vector<std::int64_t> out(n);
  for (std::int64_t s = 0; s < n; ++s) out[s] = s;
  return out;
}

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

namespace localsgd {
std::int64_t warmed_up_local_steps(const std::string& shape, double epoch, double epochs, std::int64_t h_max);
namespace {

RunConfig warmup_case(const std::string& shape, double epochs) {
  RunConfig c = hand_case("local-warmup", 8);  // the kind's own keys come from a config file
  const std::string path = ::testing::TempDir() + "warmup_" + shape + ".toml";
  std::ofstream(path) << "[run]\nepochs = 10\n[algorithm]\nkind = \"local-warmup\"\nworkers = 4\nlocal_batch = 25\n"
                         "local_steps = 8\nlocal_steps_warmup = \"" << shape << "\"\nlocal_steps_warmup_epochs = "
                      << epochs << "\n[schedule]\ndecay_at = [0.5, 0.75]\n";
  RunConfig loaded = load_config(path);
  c.algorithm = loaded.algorithm;
  c.options = loaded.options;
  return c;
}

// Hand values: H_max = 8 over a 4-epoch warm-up. Linear: 1 + floor(7 e / 4); exponential:
// 2^floor(3 e / 4).
TEST(LocalStepWarmupTest, ShapesByHand) {
  EXPECT_EQ(warmed_up_local_steps("linear", 0.0, 4, 8), 1);
  EXPECT_EQ(warmed_up_local_steps("linear", 1.0, 4, 8), 2);   // 1 + floor(1.75)
  EXPECT_EQ(warmed_up_local_steps("linear", 3.9, 4, 8), 7);   // 1 + floor(6.825)
  EXPECT_EQ(warmed_up_local_steps("linear", 4.0, 4, 8), 8);
  EXPECT_EQ(warmed_up_local_steps("exponential", 1.0, 4, 8), 1);   // 2^floor(0.75)
  EXPECT_EQ(warmed_up_local_steps("exponential", 1.4, 4, 8), 2);   // 2^floor(1.05)
  EXPECT_EQ(warmed_up_local_steps("exponential", 2.7, 4, 8), 4);   // 2^floor(2.025)
  EXPECT_EQ(warmed_up_local_steps("constant", 0.0, 4, 8), 8);
}

// 10 steps per epoch, warm-up over 2 epochs, linear: H = 1 for steps 0..2 (e < 2/7), then
// 1 + floor(7 e / 2). Sync points walk from 0: each adds H at the point.
TEST(LocalStepWarmupTest, SyncPointsFollowTheGrowingH) {
  const Trace t = trace(warmup_case("linear", 2));
  std::vector<std::int64_t> expected;
  std::int64_t point = 0;
  while (true) {
    const std::int64_t h = warmed_up_local_steps("linear", point / 10.0, 2, 8);
    point += h;
    if (point > 100) break;
    expected.push_back(point - 1);
  }
  if (expected.back() != 99) expected.push_back(99);
  EXPECT_EQ(steps_of(t, Buffer::kParams), expected);
  EXPECT_EQ(expected[0], 0);  // H = 1 at the start: the first steps all sync
  EXPECT_EQ(t.algorithm->local_steps(0), 1);
  EXPECT_EQ(t.algorithm->local_steps(25), 8);
}

std::string load_error(const std::string& text) {
  const std::string path = ::testing::TempDir() + "warmup_bad.toml";
  std::ofstream(path) << text;
  try {
    load_config(path);
  } catch (const ConfigError& e) {
    return std::string(e.what()).substr(path.size());
  }
  return "";
}

TEST(LocalStepWarmupTest, ItsKeysAreCheckedAndBelongToIt) {
  EXPECT_EQ(load_error("[algorithm]\nkind = \"local\"\nlocal_steps_warmup = \"linear\"\n"),
            ":3:1: algorithm.local_steps_warmup: local_steps_warmup does not apply to kind = local");
  EXPECT_EQ(load_error("[run]\nepochs = 4\n[algorithm]\nkind = \"local-warmup\"\nlocal_steps_warmup = \"cubic\"\n"),
            ":5:1: algorithm.local_steps_warmup: 'cubic' is not one of linear, exponential, constant");
  EXPECT_EQ(load_error("[run]\nepochs = 4\n[algorithm]\nkind = \"local-warmup\"\nlocal_steps_warmup_epochs = 4\n"),
            ":5:1: algorithm.local_steps_warmup_epochs: must be in (0, run.epochs) (got 4, run.epochs = 4)");
  EXPECT_EQ(load_error("[algorithm]\nkind = \"local-warmup\"\nlocal_steps_warmup_epochs = \"two\"\n"),
            ":3:1: algorithm.local_steps_warmup_epochs: expected a number, got string");
}

// The degenerate case: a constant warm-up is plain local SGD, exchange for exchange.
TEST(LocalStepWarmupTest, ConstantWarmupIsLocalSgd) {
  EXPECT_EQ(trace(warmup_case("constant", 2)).exchanges, trace(hand_case("local", 8)).exchanges);
}

}  // namespace
}  // namespace localsgd
