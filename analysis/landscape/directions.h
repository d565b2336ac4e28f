// Defines the filter-normalised random direction of Li et al. (2018): N(0, 1) entries, each
// filter of a weight (its slice along dimension 0: an output channel of a convolution, a row of
// a linear layer) scaled to the norm of the same filter of the weights; the directions of
// biases and normalisation layers' scales and shifts zero (their "biasbn"), as the roles of the
// parameter layout say, and of any weight of dimension <= 1.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "models/parameter_layout.h"

namespace localsgd::analysis {

// weights: [P] (double) in the layout's order.
torch::Tensor filter_normalised_direction(const ParameterLayout& layout, const torch::Tensor& weights,
                                          std::uint64_t seed);

}  // namespace localsgd::analysis
