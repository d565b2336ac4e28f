// MpiCommunicator under mpirun: crafted means, blocks, bit-identity with ring_order_mean,
// per-level stats, gather_all order and node blocks. Every rank runs every test in the same
// order, since each test makes collective calls.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "comm/mpi/mpi_communicator.h"
#include "mpi_test_env.h"

namespace localsgd {
namespace {

using testing::session;

int world() { return session().size(); }
int me() { return session().rank(); }

torch::Tensor own_value(double value, std::int64_t n, torch::Dtype dtype) {
  return torch::full({1, n}, value, torch::TensorOptions().dtype(dtype));
}

// Identical on every rank (same seed); magnitudes spread over ~10 decades so rounding, and
// with it the summation order, shows in the result.
torch::Tensor shared_random_rows(int k, std::int64_t n, torch::Dtype dtype, std::uint64_t seed) {
  torch::manual_seed(seed);
  auto opts = torch::TensorOptions().dtype(torch::kDouble);
  return (torch::randn({k, n}, opts) * torch::exp(3 * torch::randn({k, n}, opts))).to(dtype).contiguous();
}

TEST(MpiCollectivesTest, DescribesOneWorkerPerRank) {
  MpiCommunicator comm(session(), 0);
  EXPECT_EQ(comm.world_size(), world());
  EXPECT_EQ(comm.local_workers(), 1);
  EXPECT_EQ(comm.first_worker(), me());
  EXPECT_EQ(comm.name(), "mpi");
}

TEST(MpiCollectivesTest, GlobalMeanOfCraftedRows) {
  MpiCommunicator comm(session(), 0);
  for (auto dtype : {torch::kFloat, torch::kDouble})
    for (std::int64_t n : {1, 5, 1000}) {
      auto row = own_value(me() + 1, n, dtype);  // sum over ranks: K (K + 1) / 2
      comm.average(row);
      EXPECT_TRUE(row.eq((world() + 1) / 2.0).all().item<bool>()) << "n=" << n << " " << dtype;
    }
}

TEST(MpiCollectivesTest, BlockMeanStaysInsideBlocksOfTwo) {
  if (world() % 2 != 0) GTEST_SKIP() << "needs an even number of ranks";
  MpiCommunicator comm(session(), 2);
  EXPECT_EQ(comm.block_size(), 2);
  auto row = own_value(me() + 1, 7, torch::kFloat);
  comm.average(row, CommLevel::kBlock);
  const double block_mean = 2 * (me() / 2) + 1.5;  // ranks {0,1} -> 1.5, {2,3} -> 3.5, ...
  EXPECT_TRUE(row.eq(block_mean).all().item<bool>()) << row;
  comm.average(row, CommLevel::kGlobal);  // block means average to the global mean
  EXPECT_TRUE(row.eq((world() + 1) / 2.0).all().item<bool>()) << row;
}

// Shrinking and growing sizes on one communicator also exercise the reused receive buffer.
void expect_bit_identical(MpiCommunicator& comm, CommLevel level, std::uint64_t seed) {
  const int g = comm.group_size(level), first = me() / g * g;
  for (auto dtype : {torch::kFloat, torch::kDouble})
    for (std::int64_t n : {1001, 1, 2, 3, 65537, std::max(1, g - 1), 7, 100000}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " g=" + std::to_string(g));
      auto rows = shared_random_rows(world(), n, dtype, seed + n);
      auto expected = torch::empty({n}, rows.options());
      ring_order_mean(rows.narrow(0, first, g), expected);
      auto mine = rows[me()].unsqueeze(0).clone();
      comm.average(mine, level);
      EXPECT_TRUE(torch::equal(mine[0], expected)) << dtype << " max diff "
          << (mine[0] - expected).abs().max().item<double>();
    }
}

TEST(MpiCollectivesTest, GlobalMeanIsBitIdenticalToRingOrderMean) {
  MpiCommunicator comm(session(), 0);
  expect_bit_identical(comm, CommLevel::kGlobal, 100);
}

TEST(MpiCollectivesTest, BlockMeanIsBitIdenticalToRingOrderMean) {
  if (world() % 2 != 0) GTEST_SKIP() << "needs an even number of ranks";
  MpiCommunicator comm(session(), 2);
  expect_bit_identical(comm, CommLevel::kBlock, 200);
}

// Guards the test above against being vacuous: on these inputs another summation order (the
// ring started one member later) does change the bits. Needs g >= 3: a + b == b + a.
TEST(MpiCollectivesTest, SummationOrderVisibleOnTheTestInputs) {
  if (world() < 3) GTEST_SKIP() << "two-member sums do not depend on the order";
  auto rows = shared_random_rows(world(), 100000, torch::kFloat, 100 + 100000);
  auto ring = torch::empty({100000}), shifted = torch::empty({100000});
  ring_order_mean(rows, ring);
  ring_order_mean(rows.roll(1, 0).contiguous(), shifted);
  EXPECT_FALSE(torch::equal(ring, shifted));
}

TEST(MpiCollectivesTest, CountsRoundsAndBytesPerLevel) {
  const int block = world() % 2 == 0 ? 2 : world();
  MpiCommunicator comm(session(), block);
  auto row = own_value(1, 1000, torch::kFloat);  // 4000 bytes
  comm.average(row);
  comm.average(row);
  comm.average(row, CommLevel::kBlock);
  const auto& global = comm.stats(CommLevel::kGlobal);
  const auto& local = comm.stats(CommLevel::kBlock);
  EXPECT_EQ(global.rounds, 2);
  EXPECT_EQ(global.bytes, 2 * (2 * (world() - 1) * 4000 / world()));
  EXPECT_EQ(local.rounds, 1);
  EXPECT_EQ(local.bytes, 2 * (block - 1) * 4000 / block);
  if (world() > 1) EXPECT_GT(global.seconds, 0);
}

TEST(MpiCollectivesTest, GatherAllIsInRankOrder) {
  MpiCommunicator comm(session(), 0);
  const auto pairs = comm.gather_all({static_cast<double>(me()), 10.0 * me() + 0.5});
  ASSERT_EQ(pairs.size(), 2u * world());
  for (int r = 0; r < world(); ++r) {
    EXPECT_EQ(pairs[2 * r], r);
    EXPECT_EQ(pairs[2 * r + 1], 10.0 * r + 0.5);
  }
  // Rank r sends r + 1 copies of r: 0, 1, 1, 2, 2, 2, ...
  const auto ragged = comm.gather_all(std::vector<double>(me() + 1, me()));
  std::vector<double> expected;
  for (int r = 0; r < world(); ++r) expected.insert(expected.end(), r + 1, r);
  EXPECT_EQ(ragged, expected);
}

bool all_on_one_node() {
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  MPI_Get_processor_name(name, &length);
  std::vector<char> names(static_cast<std::size_t>(MPI_MAX_PROCESSOR_NAME) * world());
  MPI_Allgather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, names.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR,
                MPI_COMM_WORLD);
  for (int r = 1; r < world(); ++r)
    if (std::strncmp(names.data(), names.data() + r * MPI_MAX_PROCESSOR_NAME, MPI_MAX_PROCESSOR_NAME)) return false;
  return true;
}

TEST(MpiCollectivesTest, BlockSizeZeroMeansOneBlockPerNode) {
  MpiCommunicator comm(session(), 0);
  EXPECT_EQ(comm.block_size(), session().local_size());
  if (!all_on_one_node()) GTEST_SKIP() << "the single-node checks need every rank on one host";
  EXPECT_EQ(session().local_size(), world());
  EXPECT_EQ(session().local_rank(), me());
  auto row = own_value(me() + 1, 9, torch::kDouble);
  comm.average(row, CommLevel::kBlock);
  EXPECT_TRUE(row.eq((world() + 1) / 2.0).all().item<bool>()) << row;
  EXPECT_EQ(comm.stats(CommLevel::kBlock).rounds, 1);
  EXPECT_EQ(comm.stats(CommLevel::kGlobal).rounds, 0);
}

// Every rank throws alike, before any message, so no rank is left waiting.
TEST(MpiCollectivesTest, RejectsBadBlocksAndRows) {
  EXPECT_THROW(MpiCommunicator(session(), world() + 1), std::invalid_argument);
  EXPECT_THROW(MpiCommunicator(session(), -1), std::invalid_argument);
  MpiCommunicator comm(session(), 0);
  auto ints = torch::ones({1, 4}, torch::kInt);
  if (world() > 1) EXPECT_THROW(comm.average(ints), std::invalid_argument);
  auto two_rows = torch::ones({2, 4});
  EXPECT_THROW(comm.average(two_rows), std::invalid_argument);
}

// A singleton run (./localsgd_mpi_tests without mpirun) legitimately has no launcher variables.
TEST(MpiCollectivesTest, LauncherIsDetected) {
  if (world() > 1) EXPECT_TRUE(MpiSession::launched_by_mpi());
}

}  // namespace
}  // namespace localsgd
