// Every per-worker stream of the trainer, observed through a sample source that records what
// each worker asks for: over an epoch the workers' indices partition the training set (no
// worker reads another's shard), and each worker draws its own augmentation stream.
#include <gtest/gtest.h>

#include <set>

#include "run/trainer.h"
#include "support.h"

namespace localsgd {
namespace {

// Serves the images as InMemoryImages does and records every request: the indices and the
// augmentation generator's seed (each worker's stream has its own).
class RecordingSource : public InMemoryImages {
 public:
  using InMemoryImages::InMemoryImages;
  Batch batch(const torch::Tensor& indices, bool augment, at::Generator& generator) const override {
    if (augment) {
      requests.push_back(indices.clone());
      seeds.push_back(generator.current_seed());
    }
    return InMemoryImages::batch(indices, augment, generator);
  }
  mutable std::vector<torch::Tensor> requests;
  mutable std::vector<std::uint64_t> seeds;
};

TEST(WorkerStreamsTest, WorkersPartitionEachEpochAndAugmentWithTheirOwnStreams) {
  const int k = 4;
  RunConfig config = testing::quick_config("local", k, 2);
  config.run.epochs = 2;
  const auto data = testing::synthetic_data(/*train=*/320, /*test=*/16);
  RecordingSource train(data.train), test(data.test);
  Trainer trainer(config, train, test);
  trainer.run(nullptr);
  const std::int64_t steps_per_epoch = 320 / (k * 8);  // 10
  ASSERT_EQ(train.requests.size(), static_cast<std::size_t>(2 * steps_per_epoch * k));
  for (std::int64_t epoch = 0; epoch < 2; ++epoch) {
    std::vector<std::set<std::int64_t>> drawn(k);
    for (std::int64_t step = 0; step < steps_per_epoch; ++step)
      for (int w = 0; w < k; ++w) {  // the trainer asks worker by worker, every step
        const auto& indices = train.requests[(epoch * steps_per_epoch + step) * k + w];
        for (std::int64_t i = 0; i < indices.size(0); ++i) drawn[w].insert(indices[i].item<std::int64_t>());
      }
    std::set<std::int64_t> all;
    std::size_t total = 0;
    for (const auto& d : drawn) {
      EXPECT_EQ(d.size(), 80u) << "a worker drew a sample twice in epoch " << epoch;
      total += d.size();
      all.insert(d.begin(), d.end());
    }
    EXPECT_EQ(total, 320u);
    EXPECT_EQ(all.size(), 320u) << "workers share samples in epoch " << epoch;
    EXPECT_EQ(*all.begin(), 0);
    EXPECT_EQ(*all.rbegin(), 319);
  }
  std::set<std::uint64_t> seeds(train.seeds.begin(), train.seeds.begin() + k);
  EXPECT_EQ(seeds.size(), static_cast<std::size_t>(k)) << "workers share an augmentation stream";
  for (std::size_t i = 0; i < train.seeds.size(); ++i) EXPECT_EQ(train.seeds[i], train.seeds[i % k]);
}

}  // namespace
}  // namespace localsgd
