// Stacked worker passes (all replicas as one grouped network) against the one-by-one passes
// (each replica on its own, the arithmetic MPI runs have): the same training, to rounding, for
// every registered algorithm; the key chooses the passes; an architecture without a stacked
// form is refused at load.
#include <gtest/gtest.h>

#include "algo/algorithm_registry.h"
#include "algo/trainer_schema.h"
#include "config_files.h"
#include "run/trainer.h"
#include "support.h"

namespace localsgd {
namespace {

using testing::Float64Scope;
using testing::max_abs_difference;
using testing::quick_config;
using testing::synthetic_data;

// Every algorithm, with its phases inside the 50 steps of one epoch (K = 4, B_loc = 8).
RunConfig config_for(const std::string& kind, const std::string& passes) {
  RunConfig c = quick_config(kind, 4, 3);
  c.run.worker_passes = passes;
  c.run.eval_every_epochs = 0.5;
  c.algorithm.switch_epoch = 0.4;  // postlocal: 20 mini-batch steps, then local
  c.algorithm.block_size = 2;      // hierarchical: two blocks of two
  c.algorithm.block_steps = 2;
  c.algorithm.bn_stats = "average";
  return c;
}

struct Trained {
  torch::Tensor params, bn_stats, initial;
  std::vector<std::string> metrics;
  std::string passes;
};

// Runs to step `until` (-1: the end, where every algorithm averages).
Trained train(const RunConfig& config, const TrainTestData& data, std::int64_t until = -1) {
  Trainer trainer(config, data);
  Trained t{{}, {}, trainer.replicas().params.clone(), {}, trainer.worker_passes().name()};
  trainer.run(nullptr, nullptr, until);
  t.params = trainer.replicas().params.clone();
  t.bn_stats = trainer.replicas().bn_stats.clone();
  t.metrics = trainer.state().metrics_lines;
  return t;
}

// In float64 the two differ by rounding only (1e-16 per operation, grown by training, see
// trainer_test.cpp); a real difference (a replica reading another's channels, a gradient
// scattered to the wrong column, a BN statistic not written back) moves parameters by ~1e-3
// per step.
TEST(WorkerPassesTest, StackedEqualsOneByOneForEveryAlgorithm) {
  Float64Scope float64;
  const auto data = synthetic_data();
  for (const auto& kind : algorithm_kinds()) {
    SCOPED_TRACE(kind.schema.name);
    RunConfig config = config_for(kind.schema.name, "one-by-one");
    const Trained one = train(config, data);
    config.run.worker_passes = "stacked";
    const Trained stacked = train(config, data);
    EXPECT_EQ(one.passes, "one-by-one");
    EXPECT_EQ(stacked.passes, "stacked");
    EXPECT_GT(max_abs_difference(one.params, one.initial), 1e-2);  // training moved them
    EXPECT_LT(max_abs_difference(one.params, stacked.params), 1e-9);
    EXPECT_LT(max_abs_difference(one.bn_stats, stacked.bn_stats), 1e-9);
    ASSERT_EQ(one.metrics.size(), stacked.metrics.size());
  }
}

// Workers that drift apart (local SGD, BN statistics kept local) must stay apart in the same way:
// each replica's slice of the stacked network is its own.
TEST(WorkerPassesTest, StackedReplicasKeepTheirOwnParametersAndStatistics) {
  Float64Scope float64;
  const auto data = synthetic_data();
  RunConfig config = config_for("local", "one-by-one");
  config.algorithm.local_steps = 1000;  // never averaged within the run
  config.algorithm.bn_stats = "local";
  const Trained one = train(config, data, 40);
  config.run.worker_passes = "stacked";
  const Trained stacked = train(config, data, 40);
  for (int r = 1; r < 4; ++r) {
    EXPECT_GT(max_abs_difference(one.params[0], one.params[r]), 1e-3);  // the workers drifted
    EXPECT_LT(max_abs_difference(one.params[r], stacked.params[r]), 1e-9);
    EXPECT_LT(max_abs_difference(one.bn_stats[r], stacked.bn_stats[r]), 1e-9);
  }
}

// A stack of one (a single worker, or one MPI rank's replica) is still the stacked form.
TEST(WorkerPassesTest, OneWorkerStackedEqualsOneByOne) {
  Float64Scope float64;
  const auto data = synthetic_data();
  RunConfig config = quick_config("local", 1, 1);
  config.run.epochs = 20 * 8.0 / 1600;  // 20 steps
  const Trained one = train(config, data);
  config.run.worker_passes = "stacked";
  const Trained stacked = train(config, data);
  EXPECT_GT(max_abs_difference(one.params, one.initial), 1e-2);
  EXPECT_LT(max_abs_difference(one.params, stacked.params), 1e-9);
}

// In float32 the kernels round differently (oneDNN's grouped, channels-last convolutions); the
// training after a few steps agrees to float tolerance.
TEST(WorkerPassesTest, StackedAgreesInFloat32AfterAFewSteps) {
  const auto data = synthetic_data();
  RunConfig config = config_for("local", "one-by-one");
  config.run.epochs = 5 * 32.0 / 1600;  // 5 steps
  const Trained one = train(config, data);
  config.run.worker_passes = "stacked";
  const Trained stacked = train(config, data);
  EXPECT_GT(max_abs_difference(one.params, one.initial), 1e-3);
  EXPECT_LT(max_abs_difference(one.params, stacked.params), 1e-5);
}

// Same config and seed, same bytes: the stacked kernels are deterministic on the CPU too.
TEST(WorkerPassesTest, StackedRunsRepeatBitForBit) {
  const auto data = synthetic_data();
  RunConfig config = config_for("local", "stacked");
  config.run.epochs = 10 * 32.0 / 1600;  // 10 steps
  const Trained first = train(config, data), second = train(config, data);
  EXPECT_TRUE(torch::equal(first.params, second.params));
  EXPECT_TRUE(torch::equal(first.bn_stats, second.bn_stats));
  EXPECT_EQ(first.metrics, second.metrics);
}

TEST(WorkerPassesTest, AnArchitectureWithoutAStackedFormIsRefusedAtLoad) {
  const std::string error = testing::load_error(
      testing::write_config("[model]\narch = \"densenet\"\ndepth = 10\n[run]\nworker_passes = \"stacked\"\n"));
  EXPECT_NE(error.find("run.worker_passes"), std::string::npos) << error;
  EXPECT_NE(error.find("densenet"), std::string::npos) << error;
  const std::string typo = testing::load_error(testing::write_config("[run]\nworker_passes = \"stack\"\n", "_typo"));
  EXPECT_NE(typo.find("run.worker_passes"), std::string::npos) << typo;
  EXPECT_EQ(testing::load_error(testing::write_config("[run]\nworker_passes = \"stacked\"\n", "_ok")), "<no error>");
}

}  // namespace
}  // namespace localsgd
