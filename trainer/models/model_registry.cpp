#include "models/model_registry.h"

#include <stdexcept>

namespace localsgd {

const std::vector<ModelKind>& model_kinds() {
  static const std::vector<ModelKind> kinds = {
      resnet_model_kind(),
      densenet_model_kind(),
      logistic_regression_model_kind(),
  };
  return kinds;
}

ModelPtr make_model(const RunConfig& config, const DataShape& shape) {
  return find_registered(model_kinds(), config.model.arch, "model.arch", "architecture").make(config, shape);
}

ModelPtr make_stacked_model(const RunConfig& config, const DataShape& shape, int replicas) {
  const ModelKind& kind = find_registered(model_kinds(), config.model.arch, "model.arch", "architecture");
  if (!kind.make_stacked)
    throw std::invalid_argument("model.arch '" + config.model.arch + "' has no stacked form for run.worker_passes = \"stacked\"");
  return kind.make_stacked(config, shape, replicas);
}

}  // namespace localsgd
