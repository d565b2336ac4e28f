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
  // Optional: the stacked form of `replicas` copies (run.worker_passes = "stacked"): one network
  // whose every layer is grouped over the replicas. Its forward takes the replicas' batches
  // stacked along the channels ([B, replicas x C, H, W], replica-major) and returns
  // [replicas, B, outputs]. Its parameters and floating-point buffers are the plain model's,
  // in the same order, each the replicas' tensors concatenated along the first dimension.
  std::function<ModelPtr(const RunConfig&, const DataShape&, int replicas)> make_stacked;
  // What its inputs are: "images" or "features"; the dataset's must be the same (data_kinds.h).
  std::string inputs = "images";
};

// The registered architectures, in registration order.
const std::vector<ModelKind>& model_kinds();

// The architecture's model for `config` on data of `shape`; throws std::invalid_argument for an
// unknown arch, listing the known ones.
ModelPtr make_model(const RunConfig& config, const DataShape& shape);

// The architecture's stacked form of `replicas` models; throws std::invalid_argument when it has
// none (the config check refuses that earlier, naming run.worker_passes).
ModelPtr make_stacked_model(const RunConfig& config, const DataShape& shape, int replicas);

// Each architecture's registration (defined in its own file).
ModelKind resnet_model_kind();
ModelKind densenet_model_kind();
ModelKind logistic_regression_model_kind();

}  // namespace localsgd
