// The `sharpness` subcommand (Lin et al. Figure 13; Gu et al.'s sharpness against H): at each
// run's saved model, the training loss and accuracy along filter-normalised random directions
// (Li et al. 2018; 10 by default, their biases and BN parts zero), and Keskar et al.'s
// epsilon-sharpness in the full space, labelled as their definition. Writes PREFIX.csv (one row
// per run, direction and step), PREFIX.jsonl (one record per run: the mean curve, the
// epsilon-sharpness per epsilon) and PREFIX.curve.jsonl (the mean curve, a record per step).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace localsgd::analysis {

extern const char* const kSharpnessUsage;

void run_sharpness_command(const std::vector<std::string>& args, std::ostream& log);

}  // namespace localsgd::analysis
