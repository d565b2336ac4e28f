// The communicator's newer collectives under mpirun, each bit-identical to the simulated
// communicator on the same rows: sums, arbitrary (non-consecutive) groups and gossip mixing.
// And the trainer's promise that a local step between syncs makes no MPI call.
#include <gtest/gtest.h>

#include "comm/mpi/mpi_communicator.h"
#include "mpi_test_env.h"
#include "run/trainer.h"
#include "support.h"

namespace localsgd {
namespace {

using testing::session;

int world() { return session().size(); }
int me() { return session().rank(); }

torch::Tensor shared_rows(std::int64_t n, std::uint64_t seed) {
  torch::manual_seed(seed);
  auto opts = torch::TensorOptions().dtype(torch::kDouble);
  return (torch::randn({world(), n}, opts) * torch::exp(3 * torch::randn({world(), n}, opts))).to(torch::kFloat).contiguous();
}

// What every rank's row becomes: computed by the simulated communicator on all rows.
void expect_like_simulated(const std::function<void(Communicator&, torch::Tensor&)>& collective, std::uint64_t seed) {
  for (std::int64_t n : {1, 7, 1001, 65537}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    auto rows = shared_rows(n, seed + n);
    auto simulated_rows = rows.clone();
    SimulatedCommunicator simulated(world(), 0);
    collective(simulated, simulated_rows);
    MpiCommunicator mpi(session(), 0);
    auto mine = rows[me()].unsqueeze(0).clone();
    collective(mpi, mine);
    EXPECT_TRUE(torch::equal(mine[0], simulated_rows[me()]))
        << "max diff " << (mine[0] - simulated_rows[me()]).abs().max().item<double>();
  }
}

TEST(MpiGroupsTest, SumOverTheWorldEqualsTheSimulatedSum) {
  expect_like_simulated([](Communicator& c, torch::Tensor& rows) {
    c.all_reduce(rows, c.groups(CommLevel::kGlobal), ReduceOp::kSum, CommLevel::kGlobal);
  }, 300);
}

// Odd and even workers: groups that are not consecutive blocks.
TEST(MpiGroupsTest, InterleavedGroupsEqualTheSimulatedOnes) {
  if (world() < 4) GTEST_SKIP() << "needs 4 ranks for two groups of two";
  std::vector<std::vector<int>> members(2);
  for (int w = 0; w < world(); ++w) members[w % 2].push_back(w);
  const WorkerGroups groups(world(), members);
  expect_like_simulated([&](Communicator& c, torch::Tensor& rows) {
    c.all_reduce(rows, groups, ReduceOp::kMean, CommLevel::kBlock);
  }, 400);
}

TEST(MpiGroupsTest, RingGossipEqualsTheSimulatedMix) {
  if (world() < 3) GTEST_SKIP() << "a ring needs 3 ranks";
  const MixingMatrix ring = MixingMatrix::ring(world());
  expect_like_simulated([&](Communicator& c, torch::Tensor& rows) { c.mix(rows, ring); }, 500);
}

// Local SGD with H = 4 under MPI: the meter's transport calls grow only after steps that end
// with a parameter average or an evaluation; the steps in between make none.
TEST(MpiGroupsTest, LocalStepsBetweenSyncsMakeNoMpiCall) {
  RunConfig config = testing::quick_config("local", world(), 4);
  config.run.epochs = 1;
  config.run.eval_every_epochs = 1;  // after step 7 only: step 3 is a sync alone
  const auto data = testing::synthetic_data(/*train=*/64 * world(), /*test=*/16);
  Trainer trainer(config, data, std::make_unique<MpiCommunicator>(session(), 0));
  const std::int64_t steps = trainer.timeline().total_steps();  // 8: syncs after 3 and 7, the evaluation after 7
  ASSERT_EQ(steps, 8);
  std::vector<std::int64_t> calling_steps;
  for (std::int64_t step = 0; step < steps; ++step) {
    const std::int64_t before = trainer.communicator().meter().calls();
    trainer.run(nullptr, nullptr, step + 1);
    if (trainer.communicator().meter().calls() != before) calling_steps.push_back(step);
  }
  EXPECT_EQ(calling_steps, (std::vector<std::int64_t>{3, 7}));
}

// A run that diverges under MPI stops at the first exchange after the divergence (where the
// ranks agree on it at no extra cost), reporting the step it diverged at, as the simulation does.
TEST(MpiGroupsTest, DivergenceIsAgreedAtTheNextExchange) {
  RunConfig config = testing::quick_config("local", world(), 4);
  config.optimizer.lr = 1e12;  // diverges within the first steps on every worker
  config.run.epochs = 2;       // 16 steps: syncs after 3, 7, 11, 15; evaluations after 7 and 15
  const auto data = testing::synthetic_data(/*train=*/64 * world(), /*test=*/16);
  Trainer simulated(config, data);
  const RunResult expected = simulated.run(nullptr);
  ASSERT_EQ(expected.status, "diverged");
  ASSERT_LT(expected.diverged_at_step, 3);
  Trainer distributed(config, data, std::make_unique<MpiCommunicator>(session(), 0));
  const RunResult result = distributed.run(nullptr);
  EXPECT_EQ(result.status, "diverged");
  EXPECT_EQ(result.diverged_at_step, expected.diverged_at_step);
  EXPECT_EQ(result.steps, 4);  // it ran on to the sync after step 3, not to the evaluation after 7
}

}  // namespace
}  // namespace localsgd
