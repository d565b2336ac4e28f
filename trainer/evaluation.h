// Defines evaluate(): mean cross-entropy loss and accuracy of a model in eval mode over a
// dataset (or its first `limit` samples), without augmentation. Used for the test set and,
// by the analysis tool later, for the loss over (subsets of) the training set.
#pragma once

#include <cstdint>

#include "dataset.h"
#include "resnet.h"

namespace localsgd {

struct LossAccuracy {
  double loss = 0;
  double accuracy = 0;
};

LossAccuracy evaluate(ResNetImpl& model, const Dataset& data, std::int64_t batch_size,
                      std::int64_t limit = 0);

}  // namespace localsgd
