// Shared by the algorithm tests that work steps out by hand: K workers on a toy layout of two
// layers (a Linear(2, 1): weight of 2 values, then a bias; P = 3), plain SGD (no momentum, no
// weight decay) and the algorithm of a config, with gradients and parameters set by the test
// (values exact in float32, so the hand results are exact).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "algo/algorithm_registry.h"
#include "support.h"

namespace localsgd::testing {

struct HandStep {
  RunConfig config;
  Timeline timeline;
  Replicas replicas;
  FlatSgd optimizer;
  SimulatedCommunicator comm;
  SyncPolicy policy;
  std::unique_ptr<Algorithm> algorithm;

  static RunConfig plain_sgd(RunConfig c) {
    c.optimizer.momentum = 0, c.optimizer.nesterov = false, c.optimizer.weight_decay = 0;
    return c;
  }
  static Replicas toy_replicas(const RunConfig& c) {
    Replicas r(c, DataShape{1, 12, 12, 4}, static_cast<int>(c.algorithm.workers), 1);
    torch::nn::Linear linear(2, 1);
    r.layout = ParameterLayout::of(*linear);
    r.params = torch::zeros({c.algorithm.workers, 3});
    r.grads = torch::zeros_like(r.params);
    r.bn_stats = torch::zeros({c.algorithm.workers, 0});
    return r;
  }
  explicit HandStep(const RunConfig& c)
      : config(plain_sgd(c)),
        timeline(config, 1000),
        replicas(toy_replicas(config)),
        optimizer(config.optimizer, replicas.layout, config.algorithm.workers),
        comm(static_cast<int>(config.algorithm.workers), 0),
        policy(SyncPolicy::from(config)),
        algorithm(make_algorithm(config, timeline)) {}
  // One step at learning rate lr with these gradients, one row per worker.
  void step(std::int64_t s, double lr, const std::vector<std::vector<double>>& grads) {
    for (std::size_t k = 0; k < grads.size(); ++k)
      replicas.grads[static_cast<std::int64_t>(k)].copy_(torch::tensor(grads[k], torch::kDouble));  // exact in float
    StepContext context{s, lr, replicas, optimizer, comm, policy};
    algorithm->after_backward(context);
    algorithm->local_update(context);
    algorithm->after_update(context);
  }
  // Worker k's parameters.
  std::vector<double> row(std::int64_t k) const {
    const auto r = replicas.params[k].to(torch::kDouble).contiguous();
    return {r.data_ptr<double>(), r.data_ptr<double>() + r.numel()};
  }
};

}  // namespace localsgd::testing
