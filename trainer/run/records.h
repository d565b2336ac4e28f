// Defines the records a run produces: EvalRecord (one evaluation of the averaged model: a line
// of metrics.jsonl and of timing.jsonl), Progress (the terminal's progress line) and RunResult
// (summary.json). Measured times go to timing.jsonl only, so that equal runs give equal metrics.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "comm/comm_meter.h"
#include "run/phase_times.h"

namespace localsgd {

struct EvalRecord {
  double epoch = 0;
  std::int64_t step = 0;      // steps completed
  std::int64_t samples = 0;   // training samples seen by all workers together
  std::int64_t sync_rounds = 0;  // global collectives (gradients or parameters)
  std::int64_t comm_bytes = 0;   // bytes one worker sent in them
  std::int64_t block_sync_rounds = 0;  // hierarchical: averages within blocks
  std::int64_t block_comm_bytes = 0;
  double injected_delay_seconds = 0;   // comm.global_delay x global parameter averages
  double modelled_comm_seconds = 0;    // the [comm] cost model over every collective so far
  double lr = 0;
  std::int64_t local_steps = 0;
  double train_loss = 0, train_accuracy = 0;  // over the batches since the previous record
  double test_loss = 0, test_accuracy = 0;
  double weight_spread = -1;  // Σ_k ‖x_k − x̄‖² (run.record_weight_spread); < 0: not recorded
  // Convex tasks: the whole training objective f(x̄) and f(x̄) − f* against the task's
  // independent minimum (task/training_objective.h); NaN: not a convex task.
  double objective = std::nan(""), suboptimality = std::nan("");
  // What the straggling workers (comm.straggler_*) added so far: the latest worker clock; < 0:
  // no stragglers.
  double straggler_seconds = -1;
  // Measured times are not deterministic: they go to timing.jsonl only.
  double wall_seconds = 0;    // since the start, evaluations included
  double train_seconds = 0;   // since the start, evaluations excluded
  CommStats global_comm, block_comm;  // with seconds and bandwidths
  int workers_in_process = 1;         // K when simulated, 1 per rank when distributed
  bool distributed = false;           // workers in separate processes: times are measured
  PhaseTimes phases;                  // since the start, this process's
  std::int64_t rss_bytes = 0, peak_rss_bytes = 0;  // this process's resident set, now and at most

  // The compute [comm] charges when calibrated (comm.compute_step_seconds, ...): steps x the
  // cost of one worker's step. Negative: not calibrated.
  double calibrated_compute_seconds = -1;

  // A simulated run's time on the cluster the cost model describes: its compute + modelled
  // communication + injected delay. The compute is the calibrated one when [comm] has a
  // calibration: deterministic, so equal runs give equal time tables. Otherwise one worker's
  // share of the measured compute (the K workers of this process run one after another, a
  // cluster's at once), which moves with the machine's load; with stacked worker passes that
  // share is the stacked cost per replica, below one real worker's (BENCHMARKS.md).
  double modelled_compute_seconds() const {
    if (calibrated_compute_seconds >= 0) return calibrated_compute_seconds;
    return (train_seconds - global_comm.seconds - block_comm.seconds) / workers_in_process;
  }
  double modelled_seconds() const {
    return modelled_compute_seconds() + modelled_comm_seconds + injected_delay_seconds +
           std::max(straggler_seconds, 0.0);
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
  bool stopped = false;              // a stop signal ended run() early (not a final result)
  double local_from_epoch = -1;      // post-local SGD: the epoch its local phase starts at
  double best_test_accuracy = -1, final_test_accuracy = -1;
  std::int64_t steps = 0, samples_seen = 0;
  double train_seconds = 0, eval_seconds = 0;
};

}  // namespace localsgd
