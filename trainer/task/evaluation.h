// Defines evaluate(): the task's mean loss and accuracy of a model in eval mode over a sample
// source (or its first `limit` samples), without augmentation or autograd, in batches of
// `batch_size`. Used for the test set and, by the analysis tool, for the loss over (subsets
// of) the training set.
#pragma once

#include <cstdint>

#include "data/sample_source.h"
#include "models/model.h"
#include "task/task.h"

namespace localsgd {

struct LossAccuracy {
  double loss = 0;
  double accuracy = 0;
};

LossAccuracy evaluate(Model& model, const SampleSource& data, const Task& task, std::int64_t batch_size,
                      std::int64_t limit = 0);

}  // namespace localsgd
