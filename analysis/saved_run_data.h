// Defines load_run_for_analysis: a run directory's saved model (config.toml + model.pt) with
// its dataset: load_saved_run's checks (the model exists, fits its config and is finite) with
// AnalysisErrors naming the file.
#pragma once

#include <string>

#include "config/config.h"
#include "data/dataset.h"
#include "models/model.h"

namespace localsgd::analysis {

struct RunForAnalysis {
  std::string dir;
  RunConfig config;
  ModelPtr model;
  TrainTestData data;
};

RunForAnalysis load_run_for_analysis(const std::string& dir);

}  // namespace localsgd::analysis
