// Defines Trainer: K workers trained with mini-batch, local or post-local SGD exactly as the
// paper defines them. Each worker has its own replica, momentum and BN statistics; the
// communicator averages gradients (mini-batch SGD) or parameters (local SGD, every H steps),
// and the sync policy of the config says what else is averaged. The loop reads like the
// algorithm: draw local batches, backward, (average gradients), step, (average parameters).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "communicator.h"
#include "config.h"
#include "dataset.h"
#include "flat_sgd.h"
#include "replicas.h"
#include "sharding.h"
#include "timeline.h"

namespace localsgd {

// One evaluation of the averaged model: a line of metrics.jsonl.
struct EvalRecord {
  double epoch = 0;
  std::int64_t step = 0;      // steps completed
  std::int64_t samples = 0;   // training samples seen by all workers together
  std::int64_t sync_rounds = 0;  // global all-reduces (gradients or parameters)
  std::int64_t comm_bytes = 0;   // bytes one worker sent in them
  std::int64_t block_sync_rounds = 0;  // hierarchical: averages within blocks
  std::int64_t block_comm_bytes = 0;
  double injected_delay_seconds = 0;   // comm.global_delay x global parameter averages
  double modelled_comm_seconds = 0;    // the [comm] cost model over every all-reduce so far
  double lr = 0;
  std::int64_t local_steps = 0;
  double train_loss = 0, train_accuracy = 0;  // over the batches since the previous record
  double test_loss = 0, test_accuracy = 0;
  // Measured times are not deterministic: they go to timing.jsonl only.
  double wall_seconds = 0;    // since the start, evaluations included
  double train_seconds = 0;   // since the start, evaluations excluded
  CommStats global_comm, block_comm;  // with seconds and bandwidths
  int workers_in_process = 1;         // K when simulated, 1 per rank when distributed
  bool distributed = false;           // workers in separate processes: times are measured

  // A simulated run's time on the cluster the cost model describes: one worker's share of the
  // measured compute (the K workers of this process run one after another, a cluster's run at
  // once) + modelled communication + injected delay.
  double modelled_seconds() const {
    const double compute = train_seconds - global_comm.seconds - block_comm.seconds;
    return compute / workers_in_process + modelled_comm_seconds + injected_delay_seconds;
  }
  // The time tables and figures report: measured when distributed, modelled when simulated.
  double reported_seconds() const { return distributed ? train_seconds : modelled_seconds(); }
};

// What a run's reported times are: "measured" when distributed, else "modelled".
inline const char* time_basis(bool distributed) { return distributed ? "measured" : "modelled"; }

struct Progress {
  std::int64_t step = 0, total_steps = 0;
  double epoch = 0, train_loss = 0, train_accuracy = 0, last_test_accuracy = -1, elapsed_seconds = 0;
};

struct RunResult {
  std::string status = "completed";  // or "diverged"
  std::string backend;               // the communicator: simulated, mpi, nccl
  bool distributed = false;          // its workers ran in separate processes
  std::int64_t diverged_at_step = -1;
  double local_from_epoch = -1;      // post-local SGD: the epoch its local phase starts at
  double best_test_accuracy = -1, final_test_accuracy = -1;
  std::int64_t steps = 0, samples_seen = 0;
  double train_seconds = 0, eval_seconds = 0;
};

class Trainer {
 public:
  // Workers are simulated in this process unless `comm` is given (one worker per process).
  Trainer(const RunConfig& config, const TrainTestData& data, std::unique_ptr<Communicator> comm = nullptr);

  using EvalCallback = std::function<void(const EvalRecord&)>;
  using ProgressCallback = std::function<void(const Progress&)>;
  RunResult run(const EvalCallback& on_eval, const ProgressCallback& on_progress = nullptr);

  // The averaged model as evaluated: mean parameters; BN statistics per the sync policy.
  ResNet& averaged_model();
  const Timeline& timeline() const { return timeline_; }
  Replicas& replicas() { return replicas_; }

 private:
  // One local step on every worker of this process; false if any worker's loss is not finite.
  bool train_step(std::int64_t step);
  void synchronise_parameters(CommLevel level);
  void refresh_averaged_model();
  EvalRecord evaluate_after(std::int64_t step, double wall_seconds, double train_seconds);
  bool all_finite(bool mine);

  RunConfig config_;
  const TrainTestData& data_;
  Timeline timeline_;
  std::unique_ptr<Communicator> comm_;
  Replicas replicas_;
  FlatSgd optimizer_;
  std::vector<ShardStream> streams_;
  std::vector<at::Generator> augment_generators_;
  std::vector<double> loss_sums_, corrects_, samples_;  // per local worker, since the last record
  double injected_delay_ = 0;
  ResNet averaged_;
  torch::Tensor averaged_params_, averaged_bn_;  // [1, P], [1, S]
};

}  // namespace localsgd
