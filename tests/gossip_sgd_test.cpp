// D-PSGD (algo/gossip_sgd.cpp) against hand values and a degenerate case: a ring mixing step in
// both orders worked out by hand, the complete graph with adapt-then-combine against mini-batch
// SGD, the weight spread against its definition, and the keys.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "config_files.h"
#include "hand_step.h"
#include "run/trainer.h"
#include "trained_parameters.h"

namespace localsgd {
namespace {

using namespace testing;
using ::testing::ElementsAre;

RunConfig gossip_config(int workers, const std::string& extra = "") {
  return with_algorithm_keys(quick_config("dpsgd", workers, 1), "kind = \"dpsgd\"\nworkers = " + std::to_string(workers) +
                                                                    "\nlocal_batch = 8\n" + extra);
}

std::vector<double> all(double v) { return {v, v, v}; }

// K = 4 on a ring (weights 1/3), lr 0.1, parameters 0, 3, 6, 9 and gradients 10, 20, 30, 40.
//   concurrent: mixed (9+0+3, 0+3+6, 3+6+9, 6+9+0) / 3 = (4, 3, 6, 5), minus 0.1 g: (3, 1, 3, 1)
//   after-step: stepped (-1, 1, 3, 5), then mixed: (5/3, 1, 3, 7/3)
TEST(GossipSgdTest, RingStepByHand) {
  for (const std::string order : {"concurrent", "after-step"}) {
    HandStep g(gossip_config(4, "mix_order = \"" + order + "\"\n"));
    for (std::int64_t k = 0; k < 4; ++k) g.replicas.params[k].fill_(3.0 * k);
    g.step(0, 0.1, {all(10), all(20), all(30), all(40)});
    const std::vector<double> expected =
        order == "concurrent" ? std::vector<double>{3, 1, 3, 1} : std::vector<double>{5.0 / 3, 1, 3, 7.0 / 3};
    for (std::int64_t k = 0; k < 4; ++k)
      for (double x : g.row(k)) EXPECT_NEAR(x, expected[k], 1e-6) << order << ", worker " << k;
  }
}

// On the complete graph with uniform weights, adapt-then-combine averages the stepped models:
// x ← mean_k (x − γ d_k) = x − γ mean_k d_k, mini-batch SGD's step (momentum is linear, so it
// holds with momentum too). Up to the order of the sums: float64, 1e-9.
TEST(GossipSgdTest, CompleteGraphAfterStepIsMinibatchSgd) {
  Float64Scope float64;
  const auto data = synthetic_data(320, 32);
  Trainer gossip(gossip_config(4, "topology = \"complete\"\nmix_order = \"after-step\"\n"), data);
  Trainer minibatch(quick_config("minibatch", 4, 1), data);
  gossip.run(nullptr);
  minibatch.run(nullptr);
  EXPECT_LT(max_abs_difference(gossip.replicas().params, minibatch.replicas().params), 1e-9);
  // The ring mixes less than an average: its workers part, and so does its model.
  Trainer ring(gossip_config(4, "mix_order = \"after-step\"\n"), data);
  ring.run(nullptr);
  EXPECT_GT(max_abs_difference(ring.replicas().params, minibatch.replicas().params), 1e-4);
}

// run.record_weight_spread: each record carries Σ_k ‖x_k − x̄‖², here checked at the end
// against the final parameters; without the key there is no such field.
TEST(GossipSgdTest, WeightSpreadIsRecorded) {
  Float64Scope float64;
  const auto data = synthetic_data(320, 32);
  RunConfig c = gossip_config(4);
  c.run.record_weight_spread = true;
  Trainer t(c, data);
  t.run(nullptr);
  const auto& params = t.replicas().params;
  const double expected = (params - params.mean(0, true)).square().sum().item<double>();
  const std::string& last = t.state().metrics_lines.back();
  const auto at = last.find("\"weight_spread\": ");
  ASSERT_NE(at, std::string::npos) << last;
  const double recorded = std::stod(last.substr(at + 17));
  EXPECT_GT(expected, 0);
  EXPECT_NEAR(recorded, expected, 1e-9 * expected);
  Trainer quiet(gossip_config(4), data);
  quiet.run(nullptr);
  EXPECT_EQ(quiet.state().metrics_lines.back().find("weight_spread"), std::string::npos);
}

TEST(GossipSgdTest, ItsKeysAreChecked) {
  EXPECT_EQ(config_error("[algorithm]\nkind = \"dpsgd\"\nworkers = 2\n"),
            ":3:1: algorithm.workers: a ring needs at least 3 workers (got 2)");
  EXPECT_EQ(config_error("[algorithm]\nkind = \"dpsgd\"\nworkers = 4\ntopology = \"torus\"\n"),
            ":4:1: algorithm.topology: 'torus' is not one of ring, complete");
  EXPECT_EQ(config_error("[algorithm]\nkind = \"dpsgd\"\nworkers = 4\nmix_order = \"later\"\n"),
            ":4:1: algorithm.mix_order: 'later' is not one of concurrent, after-step");
  EXPECT_EQ(config_error("[algorithm]\nkind = \"dpsgd\"\nworkers = 4\nmomentum = \"average\"\n"),
            ":4:1: algorithm.momentum: dpsgd keeps momentum local (got momentum = average)");
}

TEST(GossipSgdTest, EachKeyChangesTheRun) {
  const auto data = synthetic_data(320, 32);
  auto final_params = [&](const std::string& extra) { return trained_parameters(gossip_config(4, extra), data); };
  const auto base = final_params("");
  EXPECT_GT(max_abs_difference(final_params("topology = \"complete\"\n"), base), 1e-5);
  EXPECT_GT(max_abs_difference(final_params("mix_order = \"after-step\"\n"), base), 1e-5);
}

}  // namespace
}  // namespace localsgd
