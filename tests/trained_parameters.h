// The replicas' parameters after a whole run: how the key tests tell two runs apart.
#pragma once

#include <torch/torch.h>

#include "run/trainer.h"

namespace localsgd::testing {

inline torch::Tensor trained_parameters(const RunConfig& config, const TrainTestData& data) {
  Trainer trainer(config, data);
  trainer.run(nullptr);
  return trainer.replicas().params.clone();
}

}  // namespace localsgd::testing
