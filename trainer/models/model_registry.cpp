#include "models/model_registry.h"


namespace localsgd {

const std::vector<ModelKind>& model_kinds() {
  static const std::vector<ModelKind> kinds = {
      resnet_model_kind(),
      densenet_model_kind(),
  };
  return kinds;
}

ModelPtr make_model(const RunConfig& config, const DataShape& shape) {
  return find_registered(model_kinds(), config.model.arch, "model.arch", "architecture").make(config, shape);
}

}  // namespace localsgd
