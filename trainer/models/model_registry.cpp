#include "models/model_registry.h"

#include <stdexcept>

namespace localsgd {

const std::vector<ModelKind>& model_kinds() {
  static const std::vector<ModelKind> kinds = {
      resnet_model_kind(),
  };
  return kinds;
}

ModelPtr make_model(const RunConfig& config, const DataShape& shape) {
  std::string known;
  for (const auto& kind : model_kinds()) {
    if (kind.schema.name == config.model.arch) return kind.make(config, shape);
    known += (known.empty() ? "" : ", ") + kind.schema.name;
  }
  throw std::invalid_argument("model.arch: unknown architecture '" + config.model.arch + "' (expected " + known + ")");
}

}  // namespace localsgd
