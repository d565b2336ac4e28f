// The simulated communicator on crafted inputs: worker k contributes k + 1.
#include <gtest/gtest.h>

#include "comm/communicator.h"

namespace localsgd {
namespace {

torch::Tensor crafted_rows(int k, int n) {
  return torch::arange(1, k + 1, torch::kFloat).unsqueeze(1).repeat({1, n}).contiguous();
}

TEST(CommunicatorTest, GlobalAverageOfCraftedRows) {
  for (int k : {1, 2, 3, 8}) {
    SimulatedCommunicator comm(k, 0);
    auto rows = crafted_rows(k, 5);
    comm.average(rows);
    EXPECT_TRUE(rows.eq((k + 1) / 2.0).all().item<bool>()) << "K=" << k;  // sum k(k+1)/2 over k
  }
}

TEST(CommunicatorTest, BlockAverageStaysInsideBlocks) {
  SimulatedCommunicator comm(4, 2);
  auto rows = crafted_rows(4, 3);
  comm.average(rows, CommLevel::kBlock);
  const std::vector<float> expected{1.5, 1.5, 3.5, 3.5};  // (1+2)/2, (3+4)/2
  for (int k = 0; k < 4; ++k) EXPECT_TRUE(rows[k].eq(expected[k]).all().item<bool>()) << k;
  comm.average(rows, CommLevel::kGlobal);
  EXPECT_TRUE(rows.eq(2.5).all().item<bool>());
  EXPECT_EQ(comm.stats(CommLevel::kBlock).rounds, 1);
  EXPECT_EQ(comm.stats(CommLevel::kBlock).bytes, 2 * 1 * 12 / 2);  // 2 (g-1)/g x 12 bytes, g = 2
  EXPECT_EQ(comm.stats(CommLevel::kGlobal).bytes, 2 * 3 * 12 / 4);
}

// Float32 addition is not associative: 1e8 + 1 == 1e8. Chunk c starts at row c, so by hand:
// chunk 0: ((1e8 + 1) - 1e8) + 1 = 1;  chunk 1: ((1 - 1e8) + 1) + 1e8 = 0;
// chunk 2: ((-1e8 + 1) + 1e8) + 1 = 1; chunk 3: ((1 + 1e8) + 1) - 1e8 = 0.
TEST(CommunicatorTest, RingOrderFixesTheSummationOrder) {
  auto rows = torch::tensor({1e8f, 1.f, -1e8f, 1.f}).unsqueeze(1).repeat({1, 4}).contiguous();
  auto out = torch::empty({4});
  ring_order_mean(rows, out);
  const std::vector<float> expected{0.25f, 0.f, 0.25f, 0.f};
  for (int c = 0; c < 4; ++c) EXPECT_EQ(out[c].item<float>(), expected[c]) << "chunk " << c;
}

// n = 4 over g = 3: chunks [0, 2), [2, 3), [3, 4), started at rows 0, 1, 2. By hand:
// from row 0: (1e8 + 1) - 1e8 = 0; from row 1: (1 - 1e8) + 1e8 = 0; from row 2: (-1e8 + 1e8) + 1 = 1.
TEST(CommunicatorTest, RingChunksAreLargerFirst) {
  auto rows = torch::tensor({1e8f, 1.f, -1e8f}).unsqueeze(1).repeat({1, 4}).contiguous();
  auto out = torch::empty({4});
  ring_order_mean(rows, out);
  const std::vector<float> expected{0.f, 0.f, 0.f, 1.f / 3};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(out[i].item<float>(), expected[i]) << i;
}

TEST(CommunicatorTest, CountsRoundsAndRingAllReduceBytes) {
  SimulatedCommunicator comm(4, 0);
  auto rows = torch::zeros({4, 1000});
  comm.average(rows);
  comm.average(rows);
  EXPECT_EQ(comm.stats().rounds, 2);
  EXPECT_EQ(comm.stats().bytes, 2 * (2 * 3 * 4000 / 4));  // 2 (K-1)/K x 4000 bytes, twice
}

TEST(CommunicatorTest, RejectsRowsThatDoNotMatchTheWorkers) {
  SimulatedCommunicator comm(4, 0);
  auto rows = torch::zeros({3, 10});
  EXPECT_THROW(comm.average(rows), std::invalid_argument);
  EXPECT_THROW(SimulatedCommunicator(4, 3), std::invalid_argument);
}

TEST(CommunicatorTest, SumOfCraftedRows) {
  SimulatedCommunicator comm(4, 0);
  auto rows = crafted_rows(4, 3);
  comm.all_reduce(rows, comm.groups(CommLevel::kGlobal), ReduceOp::kSum, CommLevel::kGlobal);
  EXPECT_TRUE(rows.eq(10.0).all().item<bool>());  // 1 + 2 + 3 + 4
}

TEST(CommunicatorTest, ArbitraryGroupsReduceAmongThemselves) {
  SimulatedCommunicator comm(5, 0);
  const WorkerGroups groups(5, {{0, 2, 4}, {1, 3}});  // odd and even workers
  EXPECT_FALSE(groups.consecutive_blocks());
  auto rows = crafted_rows(5, 2);  // values 1..5
  comm.all_reduce(rows, groups, ReduceOp::kMean, CommLevel::kBlock);
  const std::vector<float> expected{3, 3, 3, 3, 3};  // (1+3+5)/3 = 3 and (2+4)/2 = 3
  for (int k = 0; k < 5; ++k) EXPECT_TRUE(rows[k].eq(expected[k]).all().item<bool>()) << k;
  auto sums = crafted_rows(5, 2);
  comm.all_reduce(sums, groups, ReduceOp::kSum, CommLevel::kBlock);
  const std::vector<float> sum{9, 6, 9, 6, 9};
  for (int k = 0; k < 5; ++k) EXPECT_TRUE(sums[k].eq(sum[k]).all().item<bool>()) << k;
}

TEST(CommunicatorTest, GroupsMustPartitionTheWorkers) {
  EXPECT_THROW(WorkerGroups(4, {{0, 1}, {1, 2, 3}}), std::invalid_argument);  // 1 twice
  EXPECT_THROW(WorkerGroups(4, {{0, 1}, {2}}), std::invalid_argument);        // 3 in none
  EXPECT_THROW(WorkerGroups(4, {{0, 1, 2, 4}}), std::invalid_argument);       // 4 out of range
}

// Ring gossip with weights 1/3, by hand on 1..4: worker 0 hears 3, 0, 1 -> (4 + 1 + 2) / 3.
TEST(CommunicatorTest, RingGossipMixesWithTheNeighbours) {
  SimulatedCommunicator comm(4, 0);
  auto rows = crafted_rows(4, 2).to(torch::kDouble);
  comm.mix(rows, MixingMatrix::ring(4));
  const std::vector<double> expected{7.0 / 3, 2.0, 3.0, 8.0 / 3};  // (4+1+2), (1+2+3), (2+3+4), (3+4+1)
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(rows[k][0].item<double>(), expected[k], 1e-15) << k;
  EXPECT_EQ(comm.stats().bytes, 2 * 16);  // two neighbours, a 16-byte row each
  EXPECT_THROW(MixingMatrix(3, {{{1, 0.5}}, {}, {}}), std::invalid_argument);  // 0 hears 1, not back
}

TEST(CommunicatorTest, DeclaredWireBytesAreWhatIsCounted) {
  SimulatedCommunicator comm(4, 0);
  auto rows = torch::zeros({4, 1000});  // 4000 bytes as floats; 1000 bits + a scale when packed
  comm.all_reduce(rows, comm.groups(CommLevel::kGlobal), ReduceOp::kMean, CommLevel::kGlobal, 125 + 4);
  EXPECT_EQ(comm.stats().payload_bytes, 129);
  EXPECT_EQ(comm.stats().bytes, 2 * 3 * 129 / 4);
}

TEST(CommunicatorTest, SimulatedCollectivesCountTransportCalls) {
  SimulatedCommunicator comm(4, 0);
  auto rows = torch::zeros({4, 10});
  comm.average(rows);
  comm.all_gather({1, 2, 3, 4});  // all workers are in this process: no transport
  EXPECT_EQ(comm.meter().calls(), 1);
}

}  // namespace
}  // namespace localsgd
