// Defines the 1-D path between two trained models (Lin et al. Figure 4(b); Li et al. 2018's
// two-model plot): w(a) = (1 - a) w_A + a w_B, a outside [0, 1] extrapolating. Normalisation
// layers' running statistics are either interpolated with the parameters (loss-landscape's
// "states", the default: without it the path keeps A's statistics and its loss is wrong) or
// re-estimated at each point on training batches.
#pragma once

#include <cstdint>

#include "data/sample_source.h"
#include "models/model.h"

namespace localsgd::analysis {

// target's parameters and floating-point buffers become (1 - a) A + a B; integer buffers (BN's
// batch count) are A's. The three models must have the same architecture.
void interpolate_models(Model& a, Model& b, double alpha, Model& target);

// Replaces every BatchNorm's running statistics by their average over the first `samples`
// samples of `train` (no augmentation, batches of `batch_size`, equal weight per batch), in
// train mode without autograd. Returns the number of BatchNorm layers it re-estimated.
int reestimate_norm_statistics(Model& model, const SampleSource& train, std::int64_t samples, std::int64_t batch_size);

}  // namespace localsgd::analysis
