// The algorithms against independent computations: local SGD with H = 1 against mini-batch
// SGD (parameter vs gradient averaging), one worker against LibTorch's own torch::optim::SGD,
// and the sync policies against what they promise.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include "augment.h"
#include "seeding.h"
#include "sharding.h"
#include "support.h"
#include "trainer.h"

namespace localsgd {
namespace {

using testing::max_abs_difference;
using testing::quick_config;
using testing::synthetic_data;

// Float32 training: averaging parameters (x - lr * mean(d)) vs gradients rounds differently in
// the last bit; over 50 steps through BN that stays below 1e-5 on weights of order 0.1-1.
constexpr double kFloat32TrainingTolerance = 1e-5;

TEST(TrainerTest, LocalSgdWithHEqualOneIsMinibatchSgd) {
  const auto data = synthetic_data();  // 1600 samples, K = 4, B_loc = 8: 50 steps
  Trainer local(quick_config("local", 4, 1), data);
  Trainer minibatch(quick_config("minibatch", 4, 1), data);
  ASSERT_EQ(local.timeline().total_steps(), 50);
  local.run(nullptr);
  minibatch.run(nullptr);
  const double moved = max_abs_difference(local.replicas().params, Trainer(quick_config("local", 4, 1), data).replicas().params);
  EXPECT_GT(moved, 1e-2);  // training really changed the parameters
  EXPECT_LT(max_abs_difference(local.replicas().params, minibatch.replicas().params), kFloat32TrainingTolerance);
  // Every worker of mini-batch SGD holds the same parameters.
  const auto& p = minibatch.replicas().params;
  EXPECT_EQ(max_abs_difference(p[0], p[3]), 0.0);
}

TEST(TrainerTest, OneWorkerLocalSgdIsPlainSgd) {
  const auto data = synthetic_data();
  RunConfig config = quick_config("local", 1, 4);
  config.run.epochs = 0.25;  // 1600 / 8 / 4 = 50 steps
  Trainer trainer(config, data);
  ASSERT_EQ(trainer.timeline().total_steps(), 50);

  // The reference: the same model, batches and augmentation, trained with torch::optim::SGD.
  ResNet model = make_model(config.model, 1, 4);
  auto init = at::make_generator<at::CPUGeneratorImpl>(derive_seed(config.run.seed, SeedStream::kModelInit));
  initialise_resnet(*model, init);
  std::vector<torch::Tensor> decayed, not_decayed;
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
  for (int step = 0; step < 50; ++step) {
    const Batch batch = make_batch(data.train, stream.next(8), true, augment);
    sgd.zero_grad();
    torch::nn::functional::cross_entropy(model->forward(batch.inputs), batch.targets).backward();
    sgd.step();
  }
  trainer.run(nullptr);
  std::vector<torch::Tensor> flat;
  for (const auto& p : model->parameters()) flat.push_back(p.detach().flatten());
  EXPECT_LT(max_abs_difference(trainer.replicas().params[0], torch::cat(flat)), kFloat32TrainingTolerance);
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

}  // namespace
}  // namespace localsgd
