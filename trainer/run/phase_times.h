// Defines PhaseTimes: where a run's time goes, phase by phase (data assembly and augmentation,
// forward, backward, the local optimizer, exchanges, evaluation), summed since the run
// started. timing.jsonl carries them with every record; measured, so never in metrics.jsonl.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>

namespace localsgd {

enum class Phase { kData, kForward, kBackward, kOptimizer, kExchange, kEvaluation };
constexpr std::size_t kPhaseCount = 6;

// The name timing.jsonl gives a phase ("data_seconds", ...).
const char* phase_key(Phase phase);

struct PhaseTimes {
  std::array<double, kPhaseCount> seconds{};
  double& operator[](Phase phase) { return seconds[static_cast<std::size_t>(phase)]; }
  double operator[](Phase phase) const { return seconds[static_cast<std::size_t>(phase)]; }
};

// Adds the time from its construction to its destruction to one phase.
class PhaseTimer {
 public:
  PhaseTimer(PhaseTimes& times, Phase phase) : slot_(times[phase]), start_(std::chrono::steady_clock::now()) {}
  ~PhaseTimer() { slot_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

 private:
  double& slot_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace localsgd
