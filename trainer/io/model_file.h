// Defines the saved-model format: model.pt is LibTorch's serialisation of the averaged model's
// parameters and buffers under their module names (torch::save of the module). A saved model is
// rebuilt from its run's config.toml (the architecture and its sizes) and loaded with load_model.
#pragma once

#include <string>

#include "models/model.h"

namespace localsgd {

// Writes `model` to `path` (not atomically: the run directory stages and renames it).
void save_model(Model& model, const std::string& path);
// Loads `path` into `model`, which must have the saved model's architecture; throws
// std::runtime_error naming the file otherwise.
void load_model(Model& model, const std::string& path);

}  // namespace localsgd
