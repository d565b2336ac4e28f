// Gu et al.'s data regime: sampling with replacement (data.sampling) and label noise resampled at
// every step (data.label_noise). Checked against what the definitions imply: draws cover the
// whole set (not a shard) and repeat; the flipped fraction is p (C - 1) / C; a stream per worker
// and per step, the same for worker k wherever it runs, and no state to resume.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "config_files.h"
#include "data/worker_batches.h"
#include "run/trainer.h"
#include "support.h"
#include "trained_parameters.h"

namespace localsgd {
namespace {

using namespace testing;

// n samples of class 0 (zero images) in 4 classes, and the indices of the last batch asked for.
class ClassZeroSource : public SampleSource {
 public:
  explicit ClassZeroSource(std::int64_t n) : n_(n) {}
  std::int64_t size() const override { return n_; }
  DataShape shape() const override { return {1, 2, 2, 4}; }
  Batch batch(const torch::Tensor& indices, bool, at::Generator&) const override {
    last = indices.clone();
    return {torch::zeros({indices.size(0), 1, 2, 2}), torch::zeros({indices.size(0)}, torch::kLong)};
  }
  mutable torch::Tensor last;

 private:
  std::int64_t n_;
};

BatchOptions with_replacement() { return {false, true, 0.0}; }
BatchOptions noisy(double p) { return {false, false, p}; }

TEST(SamplingTest, WithReplacementDrawsFromTheWholeSetAndRepeats) {
  ClassZeroSource source(50);
  WorkerBatches worker(7, /*workers=*/4, /*worker=*/1, 50, with_replacement());
  std::vector<int> counts(50, 0);
  bool repeated_in_a_batch = false;
  for (std::int64_t step = 0; step < 400; ++step) {
    worker.next(source, 10, step);
    std::set<std::int64_t> seen;
    for (std::int64_t i = 0; i < 10; ++i) {
      const auto index = source.last[i].item<std::int64_t>();
      ASSERT_GE(index, 0);
      ASSERT_LT(index, 50);
      ++counts[index];
      repeated_in_a_batch = repeated_in_a_batch || !seen.insert(index).second;
    }
  }
  // 4000 uniform draws: 80 per index expected, standard deviation about 8.9; a shard would be 13 indices.
  for (int c : counts) {
    EXPECT_GT(c, 40);
    EXPECT_LT(c, 120);
  }
  EXPECT_TRUE(repeated_in_a_batch);  // P(no repeat in 400 batches of 10 of 50) ~ 0.39^400
  // One worker, one batch of all 50: a shuffle is a permutation; 50 draws with replacement
  // repeat but for a chance of 50! / 50^50 ~ 3e-21.
  WorkerBatches alone(7, 1, 0, 50, with_replacement());
  alone.next(source, 50, 0);
  EXPECT_LT(std::get<0>(at::_unique(source.last)).size(0), 50);
}

TEST(SamplingTest, EachWorkerAndStepDrawsItsOwnAndNeedsNoState) {
  ClassZeroSource source(1000);
  auto draw = [&](int worker, std::int64_t step) {
    WorkerBatches batches(7, 4, worker, 1000, with_replacement());
    batches.next(source, 16, step);
    return source.last;
  };
  EXPECT_FALSE(torch::equal(draw(0, 3), draw(1, 3))) << "workers share a sampling stream";
  EXPECT_FALSE(torch::equal(draw(0, 3), draw(0, 4))) << "a step repeats the last one's draw";
  // A worker that drew steps 0..4 draws at step 5 what a fresh one (a resumed run) draws.
  WorkerBatches running(7, 4, 2, 1000, with_replacement());
  for (std::int64_t step = 0; step < 5; ++step) running.next(source, 16, step);
  running.next(source, 16, 5);
  const auto after_five = source.last;
  EXPECT_TRUE(torch::equal(after_five, draw(2, 5)));
  // The worker's index alone decides its stream: the same with 8 workers as with 4 (a rank).
  WorkerBatches other_world(7, 8, 2, 1000, with_replacement());
  other_world.next(source, 16, 5);
  EXPECT_TRUE(torch::equal(source.last, after_five));
}

TEST(SamplingTest, LabelNoiseFlipsTheExpectedFractionUniformly) {
  ClassZeroSource source(100000);
  WorkerBatches worker(7, 1, 0, 100000, noisy(0.3));
  const Batch batch = worker.next(source, 100000, 0);
  // A label is redrawn with probability 0.3 from 4 classes, so it changes with 0.3 x 3/4 = 0.225
  // (standard error 0.0013); the changed ones are uniform over classes 1, 2, 3.
  const auto changed = (batch.targets != 0).to(torch::kDouble);
  EXPECT_NEAR(changed.mean().item<double>(), 0.225, 0.007);
  for (std::int64_t c = 1; c < 4; ++c)
    EXPECT_NEAR((batch.targets == c).to(torch::kDouble).mean().item<double>(), 0.075, 0.004);
  EXPECT_EQ(torch::bincount(batch.targets, {}, 4).size(0), 4);
}

TEST(SamplingTest, LabelNoiseIsResampledEveryStepAndPerWorker) {
  ClassZeroSource source(256);
  auto labels = [&](int worker, std::int64_t step, double p) {
    WorkerBatches batches(7, 2, worker, 256, noisy(p));
    return batches.next(source, 64, step).targets;
  };
  EXPECT_FALSE(torch::equal(labels(0, 0, 0.5), labels(0, 1, 0.5))) << "the noise is not redrawn";
  EXPECT_FALSE(torch::equal(labels(0, 0, 0.5), labels(1, 0, 0.5))) << "workers share the label noise";
  EXPECT_TRUE(torch::equal(labels(0, 0, 0.5), labels(0, 0, 0.5)));
  EXPECT_EQ(labels(0, 0, 0.0).count_nonzero().item<std::int64_t>(), 0);
}

TEST(SamplingTest, BothKeysChangeTheRun) {
  const auto data = synthetic_data(320, 32);
  auto final_params = [&](const std::string& sampling, double label_noise) {
    RunConfig c = quick_config("minibatch", 2, 1);
    c.data.sampling = sampling;
    c.data.label_noise = label_noise;
    return trained_parameters(c, data);
  };
  const auto plain = final_params("shuffle", 0);
  EXPECT_FALSE(torch::equal(final_params("with-replacement", 0), plain));
  EXPECT_FALSE(torch::equal(final_params("shuffle", 0.2), plain));
  EXPECT_TRUE(torch::equal(final_params("shuffle", 0.2), final_params("shuffle", 0.2)));
}

TEST(SamplingTest, ErrorsAreLocated) {
  EXPECT_EQ(config_error("[data]\nsampling = \"bootstrap\"\n"),
            ":2:1: data.sampling: 'bootstrap' is not one of shuffle, with-replacement");
  EXPECT_EQ(config_error("[data]\nlabel_noise = 1.0\n"), ":2:1: data.label_noise: must be in [0, 1) (got 1)");
}

}  // namespace
}  // namespace localsgd
