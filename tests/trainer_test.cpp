// The algorithms against independent computations: local SGD with H = 1 against mini-batch
// SGD (parameter vs gradient averaging), one worker against LibTorch's own torch::optim::SGD,
// and the sync policies against what they promise.
#include <gtest/gtest.h>

#include <limits>

#include <ATen/CPUGeneratorImpl.h>

#include "data/augment.h"
#include "util/seeding.h"
#include "data/sharding.h"
#include "support.h"
#include "models/model_registry.h"
#include "run/trainer.h"

namespace localsgd {
namespace {

using testing::Float64Scope;
using testing::max_abs_difference;
using testing::quick_config;
using testing::synthetic_data;

// Equivalences are checked in float64. The two computations round differently in the last
// bit (x - lr * mean(d) vs mean(x - lr * d); PyTorch's fused add with alpha), and training
// amplifies rounding differences by about 1.2x per step here (measured in float32: 0 after 5
// steps, 3e-8 after 10, 2e-7 after 20, 5e-5 after 50). From float64's 1e-16 that stays far
// below 1e-9 after 50 steps, while any real difference in the update (a wrong momentum or
// weight-decay term) moves parameters by about lr x gradient ~ 1e-3 per step.
constexpr double kFloat64TrainingTolerance = 1e-9;

TEST(TrainerTest, LocalSgdWithHEqualOneIsMinibatchSgd) {
  Float64Scope float64;
  const auto data = synthetic_data();  // 1600 samples, K = 4, B_loc = 8: 50 steps
  Trainer local(quick_config("local", 4, 1), data);
  Trainer minibatch(quick_config("minibatch", 4, 1), data);
  ASSERT_EQ(local.timeline().total_steps(), 50);
  local.run(nullptr);
  minibatch.run(nullptr);
  const double moved = max_abs_difference(local.replicas().params, Trainer(quick_config("local", 4, 1), data).replicas().params);
  EXPECT_GT(moved, 1e-2);  // training really changed the parameters
  EXPECT_LT(max_abs_difference(local.replicas().params, minibatch.replicas().params), kFloat64TrainingTolerance);
  // Every worker of mini-batch SGD holds the same parameters.
  const auto& p = minibatch.replicas().params;
  EXPECT_EQ(max_abs_difference(p[0], p[3]), 0.0);
}

// Trains one worker for `steps` steps with the trainer and with torch::optim::SGD on the same
// model, batches and augmentation; returns the largest parameter difference.
double one_worker_difference_to_torch_sgd(std::int64_t steps) {
  const auto data = synthetic_data();
  RunConfig config = quick_config("local", 1, 4);
  config.run.epochs = steps * 8.0 / 1600;
  Trainer trainer(config, data);
  EXPECT_EQ(trainer.timeline().total_steps(), steps);

  const ModelPtr model = make_model(config, DataShape{1, 12, 12, 4});
  auto init = at::make_generator<at::CPUGeneratorImpl>(derive_seed(config.run.seed, SeedStream::kModelInit));
  model->initialise(init);
  std::vector<torch::Tensor> decayed, not_decayed;  // BN scales and shifts are not decayed
  for (const auto& p : model->named_parameters())
    (p.key().find("bn") != std::string::npos || p.key().find("shortcut.1") != std::string::npos
         ? not_decayed : decayed).push_back(p.value());
  auto options = torch::optim::SGDOptions(config.optimizer.lr).momentum(0.9).nesterov(true);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decayed, std::make_unique<torch::optim::SGDOptions>(options.weight_decay(5e-4)));
  groups.emplace_back(not_decayed, std::make_unique<torch::optim::SGDOptions>(options.weight_decay(0)));
  torch::optim::SGD sgd(groups, options);
  ShardStream stream(config.run.seed, 1, 0, data.train.size());
  auto augment = at::make_generator<at::CPUGeneratorImpl>(derive_seed(config.run.seed, SeedStream::kAugment, 0));
  model->train();
  for (std::int64_t step = 0; step < steps; ++step) {
    const Batch batch = make_batch(data.train, stream.next(8), true, augment);
    sgd.zero_grad();
    torch::nn::functional::cross_entropy(model->forward(batch.inputs), batch.targets).backward();
    sgd.step();
  }
  trainer.run(nullptr);
  std::vector<torch::Tensor> flat;
  for (const auto& p : model->parameters()) flat.push_back(p.detach().flatten());
  return max_abs_difference(trainer.replicas().params[0], torch::cat(flat));
}

TEST(TrainerTest, OneWorkerLocalSgdIsPlainSgd) {
  Float64Scope float64;
  EXPECT_LT(one_worker_difference_to_torch_sgd(50), kFloat64TrainingTolerance);
}

TEST(TrainerTest, LocalSgdWorkersDriftBetweenSyncsAndAgreeAfter) {
  const auto data = synthetic_data();
  RunConfig config = quick_config("local", 4, 5);
  Trainer trainer(config, data);
  trainer.run(nullptr);  // 50 steps, the last one is a sync
  const auto& p = trainer.replicas().params;
  for (int k = 1; k < 4; ++k) EXPECT_EQ(max_abs_difference(p[0], p[k]), 0.0);
  // BN statistics stay local by default: workers saw different data.
  const auto& bn = trainer.replicas().bn_stats;
  EXPECT_GT(max_abs_difference(bn[0], bn[1]), 0.0);
}

TEST(TrainerTest, AveragedBnPolicyMakesStatisticsEqualAtSync) {
  const auto data = synthetic_data();
  RunConfig config = quick_config("local", 4, 5);
  config.algorithm.bn_stats = "average";
  config.algorithm.momentum = "average";
  Trainer trainer(config, data);
  trainer.run(nullptr);
  const auto& bn = trainer.replicas().bn_stats;
  for (int k = 1; k < 4; ++k) EXPECT_EQ(max_abs_difference(bn[0], bn[k]), 0.0);
}

// Blocks of one worker make every block average a no-op, so hierarchical SGD with H = 1 and
// H^b = 4 must be local SGD with H = 4, exactly.
TEST(TrainerTest, HierarchicalWithSingleWorkerBlocksIsLocalSgd) {
  const auto data = synthetic_data();
  RunConfig hierarchical = quick_config("hierarchical", 4, 1);
  hierarchical.algorithm.block_size = 1;
  hierarchical.algorithm.block_steps = 4;
  Trainer a(hierarchical, data);
  Trainer b(quick_config("local", 4, 4), data);
  std::vector<EvalRecord> records;
  a.run([&](const EvalRecord& r) { records.push_back(r); });
  b.run(nullptr);
  EXPECT_EQ(max_abs_difference(a.replicas().params, b.replicas().params), 0.0);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].sync_rounds, 13);        // global after steps 4, 8, ..., 48 and the last (50)
  EXPECT_EQ(records[0].block_sync_rounds, 37);  // the other 37 of 50 steps end with a block average
  EXPECT_EQ(records[0].block_comm_bytes, 0);    // blocks of one send nothing
}

TEST(TrainerTest, InjectedDelayIsModelledPerGlobalAverage) {
  const auto data = synthetic_data();
  RunConfig config = quick_config("local", 4, 5);
  config.comm.global_delay = 2.5;
  Trainer trainer(config, data);
  std::vector<EvalRecord> records;
  trainer.run([&](const EvalRecord& r) { records.push_back(r); });
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].injected_delay_seconds, 10 * 2.5);  // 10 global averages, not slept
}

// The cost model by hand: 10 global averages of P floats over K = 4 (log2 4 = 2 steps each).
TEST(TrainerTest, CommunicationTimeIsModelledFromTheConfig) {
  const auto data = synthetic_data();
  RunConfig config = quick_config("local", 4, 5);
  config.comm.latency = 1e-3;
  config.comm.bandwidth = 1e6;
  Trainer trainer(config, data);
  std::vector<EvalRecord> records;
  trainer.run([&](const EvalRecord& r) { records.push_back(r); });
  ASSERT_EQ(records.size(), 1u);
  const double payload = trainer.replicas().parameter_count() * 4.0;
  EXPECT_NEAR(records[0].modelled_comm_seconds, 10 * 2 * (1e-3 + payload / 1e6), 1e-9);
  EXPECT_NEAR(allreduce_seconds({1e-3, 1e6}, 3, 1000), 2 * (1e-3 + 1e-3), 1e-15);  // ceil(log2 3) = 2
  EXPECT_EQ(allreduce_seconds({1e-3, 1e6}, 1, 1000), 0.0);
}

// The time model by hand: 10 s since the start, of which 2 s evaluating and 0.5 s measured
// averaging, 4 simulated workers: (10 - 2 - 0.5) / 4 = 1.875 s of one worker's compute.
TEST(TrainerTest, ModelledTimeChargesOneWorkersShareOfTheCompute) {
  EvalRecord r;
  r.wall_seconds = 10;
  r.train_seconds = 8;
  r.global_comm.seconds = 0.4;
  r.block_comm.seconds = 0.1;
  r.workers_in_process = 4;
  r.modelled_comm_seconds = 0.3;
  r.injected_delay_seconds = 5;
  EXPECT_DOUBLE_EQ(r.modelled_seconds(), 1.875 + 0.3 + 5);
  EXPECT_DOUBLE_EQ(r.reported_seconds(), r.modelled_seconds());
  r.distributed = true;  // one worker per process: the measured training time, slept delay included
  EXPECT_DOUBLE_EQ(r.reported_seconds(), 8);
  EXPECT_STREQ(time_basis(false), "modelled");
  EXPECT_STREQ(time_basis(true), "measured");
}

// A calibrated compute by hand: every step of one worker costs compute_step_seconds +
// compute_sample_seconds x local_batch, whatever the clock says; two runs give equal times.
TEST(TrainerTest, CalibratedComputeIsChargedPerStepAndSample) {
  const auto data = synthetic_data();
  RunConfig config = quick_config("local", 4, 5);
  config.comm.compute_step_seconds = 0.25;
  config.comm.compute_sample_seconds = 0.125;
  std::vector<EvalRecord> first, second;
  Trainer(config, data).run([&](const EvalRecord& r) { first.push_back(r); });
  Trainer(config, data).run([&](const EvalRecord& r) { second.push_back(r); });
  ASSERT_EQ(first.size(), 1u);
  const double steps = static_cast<double>(first[0].step);
  const double batch = static_cast<double>(config.algorithm.local_batch);
  EXPECT_DOUBLE_EQ(first[0].modelled_compute_seconds(), steps * (0.25 + 0.125 * batch));
  EXPECT_DOUBLE_EQ(first[0].modelled_seconds(),
                   steps * (0.25 + 0.125 * batch) + first[0].modelled_comm_seconds);
  EXPECT_EQ(first[0].modelled_seconds(), second[0].modelled_seconds());
  config.comm.compute_step_seconds = 0;  // the per-sample part alone still calibrates
  std::vector<EvalRecord> per_sample;
  Trainer(config, data).run([&](const EvalRecord& r) { per_sample.push_back(r); });
  EXPECT_DOUBLE_EQ(per_sample[0].modelled_compute_seconds(), steps * 0.125 * batch);
}

// Uncalibrated (both 0), a record's compute is the measured share, not the calibrated one.
TEST(TrainerTest, UncalibratedComputeIsTheMeasuredShare) {
  EvalRecord r;
  r.train_seconds = 8;
  r.workers_in_process = 4;
  EXPECT_DOUBLE_EQ(r.modelled_compute_seconds(), 2);
  r.calibrated_compute_seconds = 0.5;
  EXPECT_DOUBLE_EQ(r.modelled_compute_seconds(), 0.5);
}

TEST(TrainerTest, CommunicationIsCounted) {
  const auto data = synthetic_data();
  Trainer trainer(quick_config("local", 4, 5), data);
  std::vector<EvalRecord> records;
  trainer.run([&](const EvalRecord& r) { records.push_back(r); });
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].sync_rounds, 10);  // 50 steps / H = 5
  const std::int64_t payload = trainer.replicas().parameter_count() * 4;
  EXPECT_EQ(records[0].comm_bytes, 10 * (2 * 3 * payload / 4));
  EXPECT_EQ(records[0].samples, 1600);
}

TEST(TrainerTest, DivergenceIsAResultNotACrash) {
  const auto data = synthetic_data();
  RunConfig config = quick_config("local", 2, 2);
  config.optimizer.lr = 1e30;
  Trainer trainer(config, data);
  const RunResult result = trainer.run(nullptr);
  EXPECT_EQ(result.status, "diverged");
  EXPECT_GE(result.diverged_at_step, 0);
  EXPECT_LT(result.diverged_at_step, trainer.timeline().total_steps());
}

// The test split served with NaN pixels: training stays finite, the first test loss does not.
class NanTestImages : public SampleSource {
 public:
  explicit NanTestImages(Dataset data) : images_(std::move(data)) {}
  std::int64_t size() const override { return images_.size(); }
  DataShape shape() const override { return images_.shape(); }
  Batch batch(const torch::Tensor& indices, bool augment, at::Generator& generator) const override {
    Batch batch = images_.batch(indices, augment, generator);
    batch.inputs.fill_(std::numeric_limits<float>::quiet_NaN());
    return batch;
  }

 private:
  InMemoryImages images_;
};

// A NaN test loss is a divergence as a NaN training loss is: the run ends at that evaluation,
// recorded, instead of training on with a null test loss.
TEST(TrainerTest, NonFiniteTestLossEndsTheRunAsDiverged) {
  const auto data = synthetic_data();
  RunConfig config = quick_config("local", 2, 2);
  config.run.eval_every_epochs = config.run.epochs / 4;
  const InMemoryImages train(data.train);
  const NanTestImages test(data.test);
  Trainer trainer(config, train, test);
  std::int64_t first_evaluation = -1;
  for (std::int64_t step = 0; first_evaluation < 0; ++step)
    if (trainer.timeline().evaluates_after(step)) first_evaluation = step;
  ASSERT_LT(first_evaluation + 1, trainer.timeline().total_steps());  // else the run ends there anyway
  const RunResult result = trainer.run(nullptr);
  EXPECT_EQ(result.status, "diverged");
  EXPECT_EQ(result.diverged_at_step, first_evaluation);
  EXPECT_EQ(trainer.state().metrics_lines.size(), 1u);
  EXPECT_EQ(trainer.state().step, first_evaluation + 1);
}

}  // namespace
}  // namespace localsgd
