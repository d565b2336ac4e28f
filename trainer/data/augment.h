// Defines make_batch: uint8 images of a Dataset, selected by index, turned into a
// normalised float batch, with the standard CIFAR augmentation (zero-pad 4, random crop
// back to size, horizontal flip with probability 1/2) drawn from the caller's generator.
#pragma once

#include <torch/torch.h>

#include "data/dataset.h"

namespace localsgd {

struct Batch {
  torch::Tensor inputs;  // float [B, C, H, W], normalised per channel
  torch::Tensor targets;  // int64 [B]
};

// Without augmentation `generator` is not used (evaluation, loss over the training set).
Batch make_batch(const Dataset& data, const torch::Tensor& indices, bool augment,
                 at::Generator& generator);

}  // namespace localsgd
