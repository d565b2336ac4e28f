// BN statistics re-estimated for evaluation (data.bn_recompute_batches, task/bn_recompute.h):
// on a model whose only BN layer sees the inputs themselves, the statistics equal the data's
// channel mean and unbiased variance, computed here directly; momentum and mode are restored;
// in a run the key changes the evaluation and nothing of the training.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include "run/trainer.h"
#include "support.h"
#include "task/bn_recompute.h"

namespace localsgd {
namespace {

using namespace testing;

// BN on the raw inputs, then a linear layer: its running statistics are the inputs'.
class InputNorm : public Model {
 public:
  InputNorm() {
    bn = register_module("bn", torch::nn::BatchNorm2d(1));
    fc = register_module("fc", torch::nn::Linear(144, 4));
  }
  torch::Tensor forward(const torch::Tensor& x) override { return fc(bn(x).flatten(1)); }
  void initialise(at::Generator&) override {}
  std::int64_t multiply_accumulates(const DataShape&) const override { return 0; }
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::Linear fc{nullptr};
};

TEST(BnRecomputeTest, StatisticsAreTheInputsChannelMeanAndVariance) {
  const InMemoryImages train(synthetic_images(64, 3));
  auto unused = at::make_generator<at::CPUGeneratorImpl>(0);
  const auto inputs = train.batch(torch::arange(64, torch::kLong), false, unused).inputs.to(torch::kDouble);
  const double mean = inputs.mean().item<double>(), variance = inputs.var(/*unbiased=*/true).item<double>();

  InputNorm model;
  model.eval();
  // Statistics of other data first: a re-estimate forgets them (as at every evaluation of a run).
  recompute_bn_statistics(model, InMemoryImages(synthetic_images(64, 4)), 2, 16, 5);
  recompute_bn_statistics(model, train, /*batches=*/1, /*batch_size=*/64, /*seed=*/5);
  EXPECT_NEAR(model.bn->running_mean.item<double>(), mean, 1e-5);
  EXPECT_NEAR(model.bn->running_var.item<double>(), variance, 1e-5);
  EXPECT_FALSE(model.is_training());                       // its mode is kept
  EXPECT_DOUBLE_EQ(model.bn->options.momentum().value(), 0.1);  // and its momentum

  // Four batches of 16 covering the set: the average of four equal batches' means is the mean.
  InputNorm four;
  recompute_bn_statistics(four, train, 4, 16, 5);
  EXPECT_NEAR(four.bn->running_mean.item<double>(), mean, 1e-5);
  EXPECT_NE(four.bn->running_var.item<double>(), 1.0);  // not the reset value
}

// Local SGD with local BN statistics: the evaluated model carries worker 0's running statistics,
// unless they are re-estimated. The training itself is untouched.
TEST(BnRecomputeTest, TheKeyChangesTheEvaluationOnly) {
  const auto data = synthetic_data(320, 64);
  auto run = [&](std::int64_t batches) {
    RunConfig c = quick_config("local", 4, 4);
    c.data.bn_recompute_batches = batches;
    c.data.eval_batch = 32;
    Trainer t(c, data);
    double test_loss = 0;
    t.run([&](const EvalRecord& r) { test_loss = r.test_loss; });
    return std::make_pair(t.replicas().params.clone(), test_loss);
  };
  const auto running = run(0), recomputed = run(2), more = run(8);
  EXPECT_TRUE(torch::equal(running.first, recomputed.first));
  EXPECT_NE(running.second, recomputed.second);
  EXPECT_NE(recomputed.second, more.second);
}

}  // namespace
}  // namespace localsgd
