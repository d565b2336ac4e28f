#include "io/progress_line.h"

#include <unistd.h>

#include <cstdio>

namespace localsgd {
namespace {

void format_duration(double seconds, char* out, size_t size) {
  const long s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) std::snprintf(out, size, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else std::snprintf(out, size, "%ldm%02lds", s / 60, s % 60);
}

}  // namespace

ProgressLine::ProgressLine() : terminal_(isatty(STDERR_FILENO) == 1) {}

void ProgressLine::update(const Progress& p) {
  if (!terminal_ || (p.elapsed_seconds - last_draw_ < 0.25 && p.step < p.total_steps)) return;
  last_draw_ = p.elapsed_seconds;
  char eta[32];
  format_duration(p.elapsed_seconds / p.step * (p.total_steps - p.step), eta, sizeof eta);
  char test[32] = "-";
  if (p.last_test_accuracy >= 0) std::snprintf(test, sizeof test, "%.2f%%", 100 * p.last_test_accuracy);
  std::fprintf(stderr, "\r\033[Kepoch %.2f  step %lld/%lld  loss %.4f  acc %.2f%%  test %s  ETA %s", p.epoch,
               static_cast<long long>(p.step), static_cast<long long>(p.total_steps), p.train_loss,
               100 * p.train_accuracy, test, eta);
  drawn_ = true;
}

void ProgressLine::evaluated(const EvalRecord& r) {
  if (terminal_ && drawn_) std::fputs("\r\033[K", stderr);
  std::fprintf(stderr, "epoch %.2f step %lld: train loss %.4f acc %.2f%% | test loss %.4f acc %.2f%% | lr %.4g H %lld | %.1fs\n",
               r.epoch, static_cast<long long>(r.step), r.train_loss, 100 * r.train_accuracy, r.test_loss,
               100 * r.test_accuracy, r.lr, static_cast<long long>(r.local_steps), r.wall_seconds);
  drawn_ = false;
}

void ProgressLine::finish() {
  if (terminal_ && drawn_) std::fputs("\n", stderr);
}

}  // namespace localsgd
