#include "timeline.h"

#include <cmath>
#include <stdexcept>

namespace localsgd {

Timeline::Timeline(const RunConfig& config, std::int64_t train_size)
    : config_(config), train_size_(train_size) {
  if (train_size <= 0) throw std::invalid_argument("Timeline: empty training set");
  global_batch_ = static_cast<std::int64_t>(config.algorithm.workers) * config.algorithm.local_batch;
  // Smallest step count with steps * K * B_loc >= epochs * N.
  const long double samples = static_cast<long double>(config.run.epochs) * train_size;
  total_steps_ = static_cast<std::int64_t>(std::ceil(samples / global_batch_ - 1e-9L));
  if (total_steps_ < 1) total_steps_ = 1;

  const double ratio = static_cast<double>(global_batch_) / config.optimizer.base_batch;
  const std::string& scaling = config.optimizer.lr_scaling;
  const double factor = scaling == "linear" ? ratio : scaling == "sqrt" ? std::sqrt(ratio) : 1.0;
  peak_lr_ = config.optimizer.lr * factor;
  warmup_lr_ = config.schedule.warmup_lr >= 0 ? config.schedule.warmup_lr : config.optimizer.lr;

  switch_step_ = total_steps_;
  if (config.algorithm.kind == "postlocal") {
    const double epoch = config.algorithm.switch_epoch >= 0
                             ? config.algorithm.switch_epoch
                             : config.schedule.decay_at.at(0) * config.run.epochs;
    switch_step_ = std::min(first_step_at_epoch(epoch), total_steps_);
  }
}

double Timeline::epoch_at(std::int64_t step) const {
  return static_cast<double>(step) * static_cast<double>(global_batch_) / static_cast<double>(train_size_);
}

std::int64_t Timeline::first_step_at_epoch(double epoch) const {
  if (epoch <= 0) return 0;
  auto step = static_cast<std::int64_t>(std::ceil(epoch * train_size_ / global_batch_));
  // Guard against rounding either way so that the definition holds exactly.
  while (step > 0 && epoch_at(step - 1) >= epoch) --step;
  while (epoch_at(step) < epoch) ++step;
  return step;
}

double Timeline::learning_rate(std::int64_t step) const {
  const double epoch = epoch_at(step);
  const auto& s = config_.schedule;
  double lr = peak_lr_;
  if (s.warmup_epochs > 0 && epoch < s.warmup_epochs)
    lr = warmup_lr_ + (peak_lr_ - warmup_lr_) * epoch / s.warmup_epochs;
  for (double fraction : s.decay_at)
    if (epoch >= fraction * config_.run.epochs) lr *= s.decay_factor;
  return lr;
}

std::int64_t Timeline::local_steps(std::int64_t step) const {
  const auto& a = config_.algorithm;
  if (a.kind == "minibatch") return 1;
  if (a.kind == "postlocal" && step < switch_step_) return 1;
  return a.local_steps;
}

bool Timeline::averages_gradients(std::int64_t) const {
  return config_.algorithm.kind == "minibatch";
}

Sync Timeline::parameter_sync_after(std::int64_t step) const {
  if (config_.algorithm.kind == "minibatch") return Sync::kNone;
  if (step + 1 >= total_steps_) return Sync::kGlobal;
  // Sync points are counted from the start of the phase in which the step lies.
  const std::int64_t done = step + 1 - (step < switch_step_ ? 0 : switch_step_);
  const std::int64_t h = local_steps(step);
  if (config_.algorithm.kind == "hierarchical") {
    if (done % (h * config_.algorithm.block_steps) == 0) return Sync::kGlobal;
    return done % h == 0 ? Sync::kBlock : Sync::kNone;
  }
  return done % h == 0 ? Sync::kGlobal : Sync::kNone;
}

bool Timeline::evaluates_after(std::int64_t step) const {
  if (step + 1 >= total_steps_) return true;
  const double every = config_.run.eval_every_epochs;
  return std::floor(epoch_at(step + 1) / every) > std::floor(epoch_at(step) / every);
}

}  // namespace localsgd
