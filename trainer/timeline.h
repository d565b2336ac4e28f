// Defines Timeline: every quantity that depends only on the step counter, as pure functions
// of it: the epoch reached, the learning rate (scaling, warm-up, step decay), the number of
// local steps H in force, and whether a step ends with gradient or parameter averaging.
// A step is one local update on every worker; the step counter is the single source of truth.
#pragma once

#include <cstdint>

#include "config.h"

namespace localsgd {

// What follows a step: nothing, an average within each block of workers, or over all workers.
enum class Sync { kNone, kBlock, kGlobal };

class Timeline {
 public:
  Timeline(const RunConfig& config, std::int64_t train_size);

  std::int64_t total_steps() const { return total_steps_; }
  std::int64_t global_batch() const { return global_batch_; }
  // Epochs completed before `step` runs: step * K * B_loc / N.
  double epoch_at(std::int64_t step) const;
  // The first step at which at least `epoch` epochs have been completed.
  std::int64_t first_step_at_epoch(double epoch) const;

  // The LR after scaling with the global batch, reached at the end of warm-up.
  double peak_lr() const { return peak_lr_; }
  double learning_rate(std::int64_t step) const;

  // The first step of post-local SGD's local phase (total_steps() for the other algorithms).
  std::int64_t switch_step() const { return switch_step_; }
  std::int64_t local_steps(std::int64_t step) const;
  bool averages_gradients(std::int64_t step) const;  // mini-batch SGD: every step
  // Local SGD: global every H steps. Hierarchical: block every H steps, global every H x H^b.
  // Always global after the last step, so the final model is the average.
  Sync parameter_sync_after(std::int64_t step) const;
  bool averages_parameters_after(std::int64_t step) const { return parameter_sync_after(step) != Sync::kNone; }
  // Evaluate after `step` when it crosses a multiple of eval_every_epochs, and after the last step.
  bool evaluates_after(std::int64_t step) const;

 private:
  RunConfig config_;
  std::int64_t train_size_;
  std::int64_t global_batch_;
  std::int64_t total_steps_;
  std::int64_t switch_step_;
  double peak_lr_;
  double warmup_lr_;
};

}  // namespace localsgd
