#include "algo/sync_policy.h"

#include <chrono>
#include <thread>

#include "algo/algorithm.h"

namespace localsgd {

SyncPolicy SyncPolicy::from(const RunConfig& config) {
  SyncPolicy p;
  p.bn_stats = config.algorithm.bn_stats == "average" ? BnStatsPolicy::kAverage : BnStatsPolicy::kLocal;
  const std::string& m = config.algorithm.momentum;
  p.momentum = m == "average" ? MomentumPolicy::kAverage : m == "reset" ? MomentumPolicy::kReset : MomentumPolicy::kLocal;
  p.global_delay = config.comm.global_delay;
  return p;
}

void average_gradients(StepContext& c) {
  c.comm.average(c.replicas.grads);
  if (c.policy.bn_stats == BnStatsPolicy::kAverage) c.comm.average(c.replicas.bn_stats);
}

void average_parameters(StepContext& c, CommLevel level) {
  c.comm.average(c.replicas.params, level);
  after_parameter_exchange(c, level);
}

void after_parameter_exchange(StepContext& c, CommLevel level) {
  if (c.policy.bn_stats == BnStatsPolicy::kAverage) c.comm.average(c.replicas.bn_stats, level);
  if (c.policy.momentum == MomentumPolicy::kAverage)
    c.comm.average(c.optimizer.momentum(), level);
  else if (c.policy.momentum == MomentumPolicy::kReset)
    c.optimizer.momentum().zero_();
  if (level == CommLevel::kGlobal && c.policy.global_delay > 0) {
    // Figure 19's slow network: a real wait when distributed, modelled time when simulated.
    c.comm.meter().inject_delay(c.policy.global_delay);
    if (c.comm.distributed())
      std::this_thread::sleep_for(std::chrono::duration<double>(c.policy.global_delay));
  }
}

}  // namespace localsgd
