#include "run/phase_times.h"

namespace localsgd {

const char* phase_key(Phase phase) {
  switch (phase) {
    case Phase::kData: return "data_seconds";
    case Phase::kForward: return "forward_seconds";
    case Phase::kBackward: return "backward_seconds";
    case Phase::kOptimizer: return "optimizer_seconds";
    case Phase::kExchange: return "exchange_seconds";
    case Phase::kEvaluation: return "evaluation_seconds";
  }
  return "unknown_seconds";
}

}  // namespace localsgd
