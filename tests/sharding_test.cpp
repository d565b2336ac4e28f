// Tests epoch_shard and ShardStream: shards partition [0, n) each epoch, are balanced,
// depend on seed and epoch, and the stream is exactly the concatenation of the shards.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <vector>

#include "data/sharding.h"

namespace localsgd {
namespace {

std::vector<std::int64_t> to_vector(const torch::Tensor& t) {
  torch::Tensor c = t.contiguous();
  return {c.data_ptr<std::int64_t>(), c.data_ptr<std::int64_t>() + c.numel()};
}

TEST(ShardEpoch, PartitionOfAllIndices) {
  const std::int64_t n = 103;
  const int workers = 4;
  std::vector<std::int64_t> all;
  std::int64_t smallest = n, largest = 0;
  for (int k = 0; k < workers; ++k) {
    torch::Tensor shard = epoch_shard(7, 0, workers, k, n);
    EXPECT_EQ(shard.dtype(), torch::kLong);
    smallest = std::min(smallest, shard.size(0));
    largest = std::max(largest, shard.size(0));
    auto v = to_vector(shard);
    all.insert(all.end(), v.begin(), v.end());
  }
  EXPECT_LE(largest - smallest, 1);
  EXPECT_EQ(epoch_shard(7, 0, workers, 0, n).size(0), 26);  // 103 % 4 = 3 shards of 26
  EXPECT_EQ(epoch_shard(7, 0, workers, 3, n).size(0), 25);
  ASSERT_EQ(all.size(), static_cast<std::size_t>(n));  // sizes add up, so disjoint iff union is all
  std::sort(all.begin(), all.end());
  for (std::int64_t i = 0; i < n; ++i) EXPECT_EQ(all[i], i);
}

TEST(ShardEpoch, DependsOnEpochAndSeed) {
  EXPECT_TRUE(epoch_shard(7, 3, 4, 1, 103).equal(epoch_shard(7, 3, 4, 1, 103)));
  EXPECT_FALSE(epoch_shard(7, 3, 4, 1, 103).equal(epoch_shard(7, 4, 4, 1, 103)));
  EXPECT_FALSE(epoch_shard(7, 3, 4, 1, 103).equal(epoch_shard(8, 3, 4, 1, 103)));
  // Not the identity order either.
  EXPECT_FALSE(epoch_shard(7, 0, 1, 0, 103).equal(torch::arange(103, torch::kLong)));
}

TEST(ShardEpoch, RejectsBadArguments) {
  EXPECT_THROW(epoch_shard(1, 0, 0, 0, 10), std::invalid_argument);
  EXPECT_THROW(epoch_shard(1, 0, 4, 4, 10), std::invalid_argument);
  EXPECT_THROW(epoch_shard(1, 0, 4, -1, 10), std::invalid_argument);
  EXPECT_THROW(epoch_shard(1, 0, 4, 0, 3), std::invalid_argument);
  EXPECT_THROW(ShardStream(1, 4, 0, 3), std::invalid_argument);
  ShardStream stream(1, 4, 0, 10);
  EXPECT_THROW(stream.next(0), std::invalid_argument);
}

TEST(ShardStream, ConcatenatesEpochShards) {
  const std::int64_t n = 103;
  for (int k : {0, 3}) {  // shard sizes 26 and 25
    std::vector<std::int64_t> expected;
    for (int epoch = 0; epoch < 3; ++epoch) {
      auto v = to_vector(epoch_shard(11, epoch, 4, k, n));
      expected.insert(expected.end(), v.begin(), v.end());
    }
    const std::int64_t shard = k == 0 ? 26 : 25;
    expected.resize(shard * 5 / 2);  // 2.5 epochs

    ShardStream stream(11, 4, k, n);
    std::vector<std::int64_t> got;
    std::vector<std::int64_t> epochs;  // epoch() before each batch
    while (got.size() < expected.size()) {
      epochs.push_back(stream.epoch());
      EXPECT_EQ(stream.epoch(), static_cast<std::int64_t>(got.size()) / shard);
      const std::int64_t batch = std::min<std::int64_t>(7, expected.size() - got.size());
      auto v = to_vector(stream.next(batch));
      ASSERT_EQ(v.size(), static_cast<std::size_t>(batch));
      got.insert(got.end(), v.begin(), v.end());
    }
    EXPECT_EQ(got, expected) << "worker " << k;
    EXPECT_EQ(stream.epoch(), 2);
    EXPECT_EQ(epochs.front(), 0);
  }
}

TEST(ShardStream, EpochAdvancesAtShardEnd) {
  ShardStream stream(3, 4, 3, 103);  // shard of 25
  stream.next(25);
  EXPECT_EQ(stream.epoch(), 1);
  stream.next(24);
  EXPECT_EQ(stream.epoch(), 1);
  stream.next(60);  // 1 + 25 + 25 + 9: spans three epoch boundaries
  EXPECT_EQ(stream.epoch(), 4);
}

}  // namespace
}  // namespace localsgd
