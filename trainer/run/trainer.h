// Defines Trainer: K workers trained with the configured algorithm, exactly as the papers define
// them. Each worker has its own replica, momentum, batches and BN statistics; the algorithm
// (algo/) decides what is exchanged when, through its hooks. A step reads like the recipe:
// every worker draws its batch, forward, backward; then after_backward, local_update and
// after_update. Finiteness is agreed on only where the step made an exchange anyway (or at an
// evaluation), so a local step between syncs makes no collective call.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "algo/sync_policy.h"
#include "comm/communicator.h"
#include "config/config.h"
#include "data/dataset.h"
#include "data/sample_source.h"
#include "optim/gradient_noise.h"
#include "passes/worker_passes.h"
#include "run/records.h"
#include "run/run_state.h"
#include "schedule/timeline.h"
#include "task/task.h"

namespace localsgd {

class Trainer {
 public:
  // Workers are simulated in this process unless `comm` is given (one worker per process).
  Trainer(const RunConfig& config, const SampleSource& train, const SampleSource& test,
          std::unique_ptr<Communicator> comm = nullptr);
  // In-memory datasets (tests, the Fashion-MNIST and CIFAR readers).
  Trainer(const RunConfig& config, const TrainTestData& data, std::unique_ptr<Communicator> comm = nullptr);

  using EvalCallback = std::function<void(const EvalRecord&)>;
  using ProgressCallback = std::function<void(const Progress&)>;
  // Runs from state().step to `until` (default: the end) and returns the result so far. A stop
  // signal (util/stop_signal.h) ends it early, with result.stopped, at a step every process
  // agrees on: the next step that exchanges anyway (or evaluates) when distributed.
  RunResult run(const EvalCallback& on_eval, const ProgressCallback& on_progress = nullptr, std::int64_t until = -1);

  // The averaged model as evaluated: mean parameters; BN statistics per the sync policy.
  Model& averaged_model();
  const Timeline& timeline() const { return timeline_; }
  Replicas& replicas() { return state_.replicas; }
  RunState& state() { return state_; }
  Communicator& communicator() { return *comm_; }
  const WorkerPasses& worker_passes() const { return *passes_; }

 private:
  // One step on every worker of this process; returns whether every local loss was finite.
  bool train_step(std::int64_t step);
  // The straggling workers' delays of `step` (comm.straggler_*): every worker's clock moves on;
  // a distributed rank also sleeps its own workers' delays, which the next collective waits for.
  void straggle(std::int64_t step);
  struct Agreement {
    std::int64_t diverged_at = -1;  // the first step any worker's loss was not finite (-1: none)
    bool stop = false;              // a process received a stop signal
  };
  // What every process agrees on after a step: divergence and stop requests.
  Agreement agree(std::int64_t first_nonfinite);
  void refresh_averaged_model();
  // Evaluates the averaged model after `step` and appends the record to the state.
  // Returns whether the test loss is finite (on the leader, which evaluates; true elsewhere).
  bool evaluate_and_record(std::int64_t step, double wall_seconds, const EvalCallback& on_eval);
  EvalRecord evaluate_after(std::int64_t step, double wall_seconds, double train_seconds);
  // Σ_k ‖x_k − x̄‖² over all K workers, x̄ the averaged model (refreshed before).
  double weight_spread();

  Trainer(const RunConfig& config, std::shared_ptr<const SampleSource> train,
          std::shared_ptr<const SampleSource> test, std::unique_ptr<Communicator> comm);

  RunConfig config_;
  std::shared_ptr<const SampleSource> train_holder_, test_holder_;  // owning or not
  const SampleSource& train_;
  const SampleSource& test_;
  Timeline timeline_;
  std::unique_ptr<Communicator> comm_;
  std::unique_ptr<Task> task_;  // the dataset's (data/data_kinds.h)
  SyncPolicy policy_;
  GradientNoise noise_;
  RunState state_;
  std::unique_ptr<TrainingObjective> objective_;  // convex tasks, on the leader: the suboptimality
  std::unique_ptr<WorkerPasses> passes_;
  ModelPtr averaged_;
  torch::Tensor averaged_params_, averaged_bn_;  // [1, P], [1, S]
};

}  // namespace localsgd
