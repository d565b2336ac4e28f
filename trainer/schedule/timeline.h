// Defines Timeline: the quantities every algorithm shares that depend only on the step counter,
// as pure functions of it: the batch, the epoch reached, the learning rate (scaling, warm-up,
// step decay) and the evaluation cadence. The batch is constant, or grows once by
// schedule.batch_factor at schedule.batch_switch_epoch (two phases). What an algorithm exchanges when is its own (SyncSchedule).
// A step is one local update on every worker; the step counter is the single source of truth.
#pragma once

#include <cstdint>

#include "config/config.h"

namespace localsgd {

class Timeline {
 public:
  Timeline(const RunConfig& config, std::int64_t train_size);

  std::int64_t total_steps() const { return total_steps_; }
  // The global batch of the first phase, K * B_loc.
  std::int64_t global_batch() const { return global_batch_; }
  // Every worker's batch at `step`: B_loc, or batch_factor x B_loc from the switch on.
  std::int64_t local_batch(std::int64_t step) const;
  // Samples the K workers together drew in steps [0, step).
  std::int64_t samples_before(std::int64_t step) const;
  // The first step of the larger batch; total_steps() when the batch never grows.
  std::int64_t batch_switch_step() const { return switch_step_; }
  // Epochs completed before `step` runs: samples_before(step) / N.
  double epoch_at(std::int64_t step) const;
  // The first step at which at least `epoch` epochs have been completed.
  std::int64_t first_step_at_epoch(double epoch) const;

  // The LR after scaling with the global batch, reached at the end of warm-up (first phase;
  // the second phase's is scaled with its own batch).
  double peak_lr() const { return peak_lr_; }
  double learning_rate(std::int64_t step) const;

  // The epoch of the first LR decay (post-local SGD's default switch), < 0 when none.
  double first_decay_epoch() const;
  // Evaluate after `step` when it crosses a multiple of eval_every_epochs, and after the last step.
  bool evaluates_after(std::int64_t step) const;

 private:
  RunConfig config_;
  std::int64_t train_size_;
  std::int64_t global_batch_;
  std::int64_t total_steps_;
  std::int64_t switch_step_;
  double peak_lr_;
  double second_peak_lr_;
  double warmup_lr_;
};

}  // namespace localsgd
