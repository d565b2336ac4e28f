// Tests the convex problem end to end: logistic regression trained by the trainer on feature
// vectors. Full-batch mini-batch SGD on one worker is gradient descent, step by step against the
// iterates computed here in double; local SGD reaches the Newton minimum, its recorded objective
// against the formula written here; Figure 6's time units (a sample's gradient = 1, a
// communication = 25) by hand; the configs that mix feature vectors with image models refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "comm/comm_cost_model.h"
#include "config_files.h"
#include "data/feature_source.h"
#include "io/run_directory.h"
#include "models/logistic_regression.h"
#include "run/trainer.h"
#include "support.h"
#include "task/logistic_objective.h"

namespace localsgd {
namespace {

using ::testing::HasSubstr;
using testing::config_error;

// n noisy samples of a logistic model in d = 6 dimensions (not separable).
InMemoryFeatures logistic_samples(std::int64_t n, std::uint64_t seed) {
  torch::manual_seed(seed);
  const auto x = torch::randn({n, 6});
  const auto truth = torch::tensor({1.5f, -1.f, 0.5f, 0.f, 2.f, -0.5f});
  const auto labels = (torch::rand({n}) < torch::sigmoid(x.mv(truth))).to(torch::kLong);
  return InMemoryFeatures(x, labels, 2);
}

RunConfig convex_config(const std::string& kind, int workers, std::int64_t local_batch, std::int64_t local_steps) {
  RunConfig c;
  c.run.seed = 3;
  c.data.dataset = "libsvm";
  c.data.augment = false;
  c.model.arch = "logistic-regression";
  c.algorithm.kind = kind;
  c.algorithm.workers = workers;
  c.algorithm.local_batch = local_batch;
  c.algorithm.local_steps = local_steps;
  c.optimizer.lr = 0.5;
  c.optimizer.lr_scaling = "none";
  c.optimizer.momentum = 0;
  c.optimizer.nesterov = false;
  c.optimizer.weight_decay = 1e-2;
  c.schedule.decay_factor = 1.0;
  return c;
}

// f(w) = mean log(1 + exp(−y xᵀw)) + λ/2 ‖w‖², written out here.
double hand_objective(const InMemoryFeatures& data, const torch::Tensor& w, double l2) {
  const auto x = data.features().to(torch::kDouble), wd = w.to(torch::kDouble).reshape({-1});
  const auto y = data.labels().to(torch::kDouble) * 2 - 1;
  return torch::log1p(torch::exp(-y * x.mv(wd))).mean().item<double>() + 0.5 * l2 * wd.dot(wd).item<double>();
}

TEST(LogisticRegressionTest, FullBatchOnOneWorkerIsGradientDescent) {
  const InMemoryFeatures train = logistic_samples(64, 1), test = logistic_samples(32, 2);
  RunConfig config = convex_config("minibatch", 1, 64, 1);
  config.run.epochs = 25;  // 25 steps of the whole set
  Trainer trainer(config, train, test);
  trainer.run(nullptr);
  const auto x = train.features().to(torch::kDouble);
  const auto y = train.labels().to(torch::kDouble) * 2 - 1;
  auto w = torch::zeros({6}, torch::kDouble);  // the model starts at 0
  for (int t = 0; t < 25; ++t) {
    const auto g = -x.t().mv(y * torch::sigmoid(-y * x.mv(w))) / 64.0 + 1e-2 * w;
    w = w - 0.5 * g;
  }
  const auto trained = trainer.replicas().params[0].to(torch::kDouble);
  EXPECT_LT(testing::max_abs_difference(trained, w), 1e-5) << trained << w;
  EXPECT_GT(w.abs().max().item<double>(), 0.1);  // it moved
}

TEST(LogisticRegressionTest, LocalSgdReachesTheMinimumItsRecordsMeasure) {
  const InMemoryFeatures train = logistic_samples(512, 3), test = logistic_samples(128, 4);
  RunConfig config = convex_config("local", 4, 8, 4);
  config.run.epochs = 30;
  config.run.eval_every_epochs = 10;
  config.schedule.decay_at = {0.5, 0.8};
  config.schedule.decay_factor = 0.1;  // small steps at the end: SGD's noise floor falls below the target
  Trainer trainer(config, train, test);
  std::vector<EvalRecord> records;
  trainer.run([&](const EvalRecord& r) { records.push_back(r); });
  ASSERT_EQ(records.size(), 3u);
  const auto averaged = trainer.replicas().params.mean(0);
  const double f = hand_objective(train, averaged, 1e-2);
  EXPECT_NEAR(records.back().objective, f, 1e-6);
  const LogisticObjective minimum(train.features(), train.labels(), 1e-2);
  EXPECT_NEAR(records.back().suboptimality, f - minimum.minimum(), 1e-6);
  EXPECT_GT(records.front().suboptimality, records.back().suboptimality);
  EXPECT_LT(records.back().suboptimality, 1e-3);
  EXPECT_GT(records.back().suboptimality, -1e-7);  // never below the minimum (float rounding aside)
  EXPECT_GT(records.back().test_accuracy, 0.7);
  EXPECT_THAT(metrics_line(records.back()), HasSubstr("\"suboptimality\":"));
  EvalRecord classification;  // a task without an objective writes none
  EXPECT_THAT(metrics_line(classification), ::testing::Not(HasSubstr("suboptimality")));
}

// Figure 6's discrete time: every step of a worker costs B_loc gradient computations, every
// global average 25, whatever K (comm.allreduce_cost = "flat"); with "tree" ceil(log2 K) x 25.
TEST(LogisticRegressionTest, Figure6TimeUnitsByHand) {
  const InMemoryFeatures train = logistic_samples(512, 5), test = logistic_samples(64, 6);
  RunConfig config = convex_config("local", 4, 8, 4);
  config.run.epochs = 2;  // 512 / 32 = 16 steps an epoch: 32 steps, 8 averages
  config.comm.compute_sample_seconds = 1;
  config.comm.latency = 25;
  config.comm.bandwidth = 1e30;  // the weights' bytes cost nothing beyond the 25
  config.comm.allreduce_cost = "flat";
  auto last = [&](const RunConfig& c) {
    Trainer trainer(c, train, test);
    EvalRecord record;
    trainer.run([&](const EvalRecord& r) { record = r; });
    return record;
  };
  const EvalRecord flat = last(config);
  EXPECT_EQ(flat.sync_rounds, 8);
  EXPECT_EQ(flat.modelled_seconds(), 32 * 8 + 8 * 25);
  config.comm.allreduce_cost = "tree";
  EXPECT_EQ(last(config).modelled_seconds(), 32 * 8 + 8 * 2 * 25);
  EXPECT_EQ(allreduce_seconds({25, 0, false}, 16, 1000), 25);
  EXPECT_EQ(allreduce_seconds({25, 0, true}, 16, 1000), 4 * 25);
}

TEST(LogisticRegressionTest, HasOneWeightPerFeature) {
  LogisticRegression model(300);  // w8a: d = 300
  EXPECT_EQ(testing::count_parameters(model), 300);
  EXPECT_EQ(model.multiply_accumulates({300, 1, 1, 2}), 300);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(1);
  model.initialise(generator);
  EXPECT_EQ(model.parameters()[0].abs().sum().item<double>(), 0.0);
  EXPECT_EQ(model.forward(torch::ones({5, 300})).sizes(), (std::vector<std::int64_t>{5, 1}));
}

TEST(LogisticRegressionTest, ConfigsMixingFeaturesAndImagesAreRefused) {
  const std::string convex = "[data]\ndataset = \"libsvm\"\npath = \"/x/w8a\"\naugment = false\n";
  EXPECT_EQ(config_error(convex + "[model]\narch = \"logistic-regression\"\n"), "");
  EXPECT_THAT(config_error(convex), HasSubstr("model.arch = \"resnet\" takes images but data.dataset = \"libsvm\" holds features"));
  EXPECT_THAT(config_error("[model]\narch = \"logistic-regression\"\n[data]\naugment = false\n"),
              HasSubstr("takes features but data.dataset = \"fashion-mnist\" holds images"));
  EXPECT_THAT(config_error("[data]\ndataset = \"libsvm\"\npath = \"/x\"\n[model]\narch = \"logistic-regression\"\n"),
              HasSubstr("feature vectors have no augmentation: set data.augment = false"));
  EXPECT_THAT(config_error(convex + "[model]\narch = \"logistic-regression\"\nwidth = 0.5\n"),
              HasSubstr("model.width: logistic regression has no width to scale"));
  EXPECT_THAT(config_error("[comm]\nallreduce_cost = \"ring\"\n"), HasSubstr("comm.allreduce_cost"));
}

}  // namespace
}  // namespace localsgd
