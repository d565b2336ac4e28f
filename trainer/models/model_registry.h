// Defines the model registry: every architecture the trainer can build, by the name [model]
// arch gives, with its config schema (summary, the [model] keys only it uses, its checks) and
// its factory. An architecture is one file plus one line in model_registry.cpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/schema.h"
#include "models/model.h"

namespace localsgd {

struct ModelKind {
  KindSchema schema;
  // Builds the model (parameters not yet initialised: Model::initialise does that).
  std::function<ModelPtr(const RunConfig&, const DataShape&)> make;
};

// The registered architectures, in registration order.
const std::vector<ModelKind>& model_kinds();

// The architecture's model for `config` on data of `shape`; throws std::invalid_argument for an
// unknown arch, listing the known ones.
ModelPtr make_model(const RunConfig& config, const DataShape& shape);

// Each architecture's registration (defined in its own file).
ModelKind resnet_model_kind();
ModelKind densenet_model_kind();

}  // namespace localsgd
