#include "schedule/timeline.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace localsgd {

namespace {

double scaled_lr(const OptimizerSection& o, std::int64_t global_batch) {
  const double ratio = static_cast<double>(global_batch) / o.base_batch;
  const double factor = o.lr_scaling == "linear" ? ratio : o.lr_scaling == "sqrt" ? std::sqrt(ratio) : 1.0;
  return o.lr * factor;
}

// Smallest step count with steps * batch >= samples.
std::int64_t steps_for(long double samples, std::int64_t batch) {
  return static_cast<std::int64_t>(std::ceil(samples / batch - 1e-9L));
}

}  // namespace

Timeline::Timeline(const RunConfig& config, std::int64_t train_size)
    : config_(config), train_size_(train_size) {
  if (train_size <= 0) throw std::invalid_argument("Timeline: empty training set");
  const std::string problem = batch_exceeds_training_set(config, train_size, config.data.dataset);
  if (!problem.empty()) throw ConfigError("algorithm.local_batch: " + problem);
  global_batch_ = static_cast<std::int64_t>(config.algorithm.workers) * config.algorithm.local_batch;
  const long double samples = static_cast<long double>(config.run.epochs) * train_size;
  total_steps_ = std::max<std::int64_t>(1, steps_for(samples, global_batch_));
  peak_lr_ = scaled_lr(config.optimizer, global_batch_);
  second_peak_lr_ = peak_lr_;
  switch_step_ = std::numeric_limits<std::int64_t>::max();  // one phase while the switch is found

  const ScheduleSection& s = config.schedule;
  if (s.batch_factor > 1) {
    const double switch_epoch = s.batch_switch_epoch >= 0 ? s.batch_switch_epoch : first_decay_epoch();
    if (switch_epoch < 0) throw ConfigError("schedule.batch_factor: needs schedule.batch_switch_epoch or an LR decay");
    const std::int64_t at = first_step_at_epoch(switch_epoch);  // still one phase here
    if (at < total_steps_) {
      switch_step_ = at;
      const long double rest = samples - static_cast<long double>(at) * global_batch_;
      total_steps_ = at + std::max<std::int64_t>(1, steps_for(rest, global_batch_ * s.batch_factor));
      second_peak_lr_ = scaled_lr(config.optimizer, global_batch_ * s.batch_factor);
    }
  }
  switch_step_ = std::min(switch_step_, total_steps_);
  warmup_lr_ = s.warmup_lr >= 0 ? s.warmup_lr : config.optimizer.lr;
}

std::int64_t Timeline::local_batch(std::int64_t step) const {
  return config_.algorithm.local_batch * (step < switch_step_ ? 1 : config_.schedule.batch_factor);
}

std::int64_t Timeline::samples_before(std::int64_t step) const {
  if (step <= switch_step_) return step * global_batch_;
  return switch_step_ * global_batch_ + (step - switch_step_) * global_batch_ * config_.schedule.batch_factor;
}

double Timeline::epoch_at(std::int64_t step) const {
  // The first phase's expression as it always was, so that a constant batch changes no bit.
  if (step <= switch_step_)
    return static_cast<double>(step) * static_cast<double>(global_batch_) / static_cast<double>(train_size_);
  return static_cast<double>(samples_before(step)) / static_cast<double>(train_size_);
}

std::int64_t Timeline::first_step_at_epoch(double epoch) const {
  if (epoch <= 0) return 0;
  auto step = static_cast<std::int64_t>(std::ceil(epoch * train_size_ / global_batch_));
  if (step > switch_step_)  // past the switch, the second phase's larger batch
    step = switch_step_ + static_cast<std::int64_t>(std::ceil(
                              (epoch * train_size_ - static_cast<double>(switch_step_ * global_batch_)) /
                              static_cast<double>(global_batch_ * config_.schedule.batch_factor)));
  // Guard against rounding either way so that the definition holds exactly.
  while (step > 0 && epoch_at(step - 1) >= epoch) --step;
  while (epoch_at(step) < epoch) ++step;
  return step;
}

double Timeline::learning_rate(std::int64_t step) const {
  const double epoch = epoch_at(step);
  const auto& s = config_.schedule;
  const double peak = step < switch_step_ ? peak_lr_ : second_peak_lr_;
  double lr = peak;
  if (s.warmup_epochs > 0 && epoch < s.warmup_epochs)
    lr = warmup_lr_ + (peak - warmup_lr_) * epoch / s.warmup_epochs;
  for (double fraction : s.decay_at)
    if (epoch >= fraction * config_.run.epochs) lr *= s.decay_factor;
  return lr;
}

double Timeline::first_decay_epoch() const {
  return config_.schedule.decay_at.empty() ? -1.0 : config_.schedule.decay_at[0] * config_.run.epochs;
}

bool Timeline::evaluates_after(std::int64_t step) const {
  if (step + 1 >= total_steps_) return true;
  const double every = config_.run.eval_every_epochs;
  return std::floor(epoch_at(step + 1) / every) > std::floor(epoch_at(step) / every);
}

}  // namespace localsgd
