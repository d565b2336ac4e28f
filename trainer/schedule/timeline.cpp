#include "schedule/timeline.h"

#include <cmath>
#include <stdexcept>

namespace localsgd {

Timeline::Timeline(const RunConfig& config, std::int64_t train_size)
    : config_(config), train_size_(train_size) {
  if (train_size <= 0) throw std::invalid_argument("Timeline: empty training set");
  const std::string problem = batch_exceeds_training_set(config, train_size, config.data.dataset);
  if (!problem.empty()) throw ConfigError("algorithm.local_batch: " + problem);
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

double Timeline::first_decay_epoch() const {
  return config_.schedule.decay_at.empty() ? -1.0 : config_.schedule.decay_at[0] * config_.run.epochs;
}

bool Timeline::evaluates_after(std::int64_t step) const {
  if (step + 1 >= total_steps_) return true;
  const double every = config_.run.eval_every_epochs;
  return std::floor(epoch_at(step + 1) / every) > std::floor(epoch_at(step) / every);
}

}  // namespace localsgd
