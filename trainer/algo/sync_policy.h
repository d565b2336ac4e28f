// Defines SyncPolicy: what an exchange averages besides parameters or gradients, as the config's
// [algorithm] bn_stats and momentum say (the paper's code keeps both local), and the two
// exchanges the built-in algorithms share: averaging gradients (mini-batch SGD) and averaging
// parameters over a level (local, post-local and hierarchical SGD), each with the policy applied
// and, for a global parameter average, Figure 19's injected delay.
#pragma once

#include "comm/communicator.h"
#include "config/config.h"

namespace localsgd {

struct StepContext;

enum class BnStatsPolicy { kLocal, kAverage };
enum class MomentumPolicy { kLocal, kAverage, kReset };

struct SyncPolicy {
  BnStatsPolicy bn_stats = BnStatsPolicy::kLocal;
  MomentumPolicy momentum = MomentumPolicy::kLocal;
  double global_delay = 0;  // seconds per global parameter average

  static SyncPolicy from(const RunConfig& config);
};

// Mini-batch SGD's exchange: every worker's gradient (and BN statistics under kAverage) becomes the mean.
void average_gradients(StepContext& c);
// Local SGD's exchange: parameters averaged over `level`, then after_parameter_exchange.
void average_parameters(StepContext& c, CommLevel level);
// What follows any exchange of parameters over `level` (an average, a compressed one): BN
// statistics and momentum per the policy, and a global one's injected delay.
void after_parameter_exchange(StepContext& c, CommLevel level);

}  // namespace localsgd
