// Defines the saved-model format: model.pt is LibTorch's serialisation of the averaged model's
// parameters and buffers under their module names (torch::save of the module, its archive
// named "archive" as a stream's is). A saved model is
// rebuilt from its run's config.toml (the architecture and its sizes) and loaded with load_model.
#pragma once

#include <string>

#include "config/config.h"
#include "models/model.h"

namespace localsgd {

// Writes `model` to `path` atomically (io/atomic_file.h); throws IoError with the reason.
void save_model(Model& model, const std::string& path);
// Loads `path` into `model`, which must have the saved model's architecture; throws
// std::runtime_error naming the file otherwise.
void load_model(Model& model, const std::string& path);

// A finished run as the analysis sees it: its effective config and its averaged model, rebuilt
// from RUN_DIR/config.toml and loaded from RUN_DIR/model.pt.
struct SavedRun {
  RunConfig config;
  ModelPtr model;
};
// Throws std::runtime_error naming the file that is missing or does not fit.
SavedRun load_saved_run(const std::string& run_dir);

// The schema a saved run's config is read with: the models and datasets of this build, the
// algorithms unchecked (the run was checked when it was trained).
ConfigSchema saved_run_schema();

}  // namespace localsgd
