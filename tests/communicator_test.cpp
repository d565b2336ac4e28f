// The simulated communicator on crafted inputs: worker k contributes k + 1.
#include <gtest/gtest.h>

#include "communicator.h"

namespace localsgd {
namespace {

TEST(CommunicatorTest, AverageOfCraftedRows) {
  for (int k : {1, 2, 3, 8}) {
    SimulatedCommunicator comm(k);
    auto rows = torch::arange(1, k + 1, torch::kFloat).unsqueeze(1).repeat({1, 5}).contiguous();
    comm.average(rows);
    EXPECT_TRUE(rows.eq((k + 1) / 2.0).all().item<bool>()) << "K=" << k;  // sum k(k+1)/2 over k
  }
}

TEST(CommunicatorTest, CountsRoundsAndRingAllReduceBytes) {
  SimulatedCommunicator comm(4);
  auto rows = torch::zeros({4, 1000});
  comm.average(rows);
  comm.average(rows);
  EXPECT_EQ(comm.stats().rounds, 2);
  EXPECT_EQ(comm.stats().bytes, 2 * (2 * 3 * 4000 / 4));  // 2 (K-1)/K x 4000 bytes, twice
}

TEST(CommunicatorTest, RejectsRowsThatDoNotMatchTheWorkers) {
  SimulatedCommunicator comm(4);
  auto rows = torch::zeros({3, 10});
  EXPECT_THROW(comm.average(rows), std::invalid_argument);
}

}  // namespace
}  // namespace localsgd
