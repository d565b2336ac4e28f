// The `evaluate` subcommand: rebuilds each run's averaged model from its run directory
// (config.toml + model.pt, io/model_file.h) and evaluates it on the run's own test or training
// split, without augmentation, in eval mode (BN running statistics): the loss and accuracy the
// Hessian, interpolation and sharpness analyses start from. Writes PREFIX.csv and PREFIX.jsonl,
// one row per run: label, run directory, split, samples, loss, accuracy.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "curves_command.h"

namespace localsgd::analysis {

struct EvaluateOptions {
  std::string out;              // PREFIX
  std::string split = "test";   // test | train
  std::int64_t samples = 0;     // the first n samples of the split; 0 = all
  std::vector<SeriesSpec> series;
};

// Throws AnalysisError naming the run directory's file that is missing or does not fit.
void run_evaluate(const EvaluateOptions& options, std::ostream& log);

}  // namespace localsgd::analysis
