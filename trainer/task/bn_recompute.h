// Defines recompute_bn_statistics(): a model's BN running statistics re-estimated on training
// samples. The averaged model's running statistics are an average (or worker 0's) of statistics
// taken under other parameters; Gu et al. evaluate with statistics of the evaluated model's own
// activations. Every BN layer's statistics become the plain average over the batches
// (momentum off), computed in train mode without autograd; the model is left in its mode.
#pragma once

#include <cstdint>

#include "data/sample_source.h"
#include "models/model.h"

namespace localsgd {

// `batches` batches of `batch_size` training samples, without augmentation, in the order of a
// permutation drawn from `seed` (the same samples at every evaluation).
void recompute_bn_statistics(Model& model, const SampleSource& train, std::int64_t batches,
                             std::int64_t batch_size, std::uint64_t seed);

}  // namespace localsgd
