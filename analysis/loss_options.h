// Defines the options every loss-landscape subcommand shares (hessian, interpolate, sharpness):
// which samples the loss is measured on, in which batches, with which normalisation statistics,
// in which precision, and the seed of its random vectors; and the FixedLoss they describe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "command_line.h"
#include "landscape/fixed_loss.h"
#include "saved_run_data.h"
#include "task/task.h"

namespace localsgd::analysis {

struct LossOptions {
  std::int64_t samples = 4096;   // the first n training samples; 0 = all
  std::int64_t batch = 512;
  NormStatistics statistics = NormStatistics::kRunning;
  bool double_precision = false;
  std::uint64_t seed = 0;
  int threads = 0;               // intra-op threads; 0 = the CPUs this process may use
};

// The option names it reads, to add to a command's allowed list.
extern const char* const kLossOptionNames[6];
extern const char* const kLossOptionsUsage;
// Parses them and applies --threads to LibTorch.
LossOptions parse_loss_options(const ParsedArguments& p);

// Casts the run's model to the chosen precision; the loss over its training split.
std::unique_ptr<FixedLoss> training_loss(RunForAnalysis& run, const LossOptions& options, const Task& task,
                                         const SampleSource& train);

// One saved run a landscape subcommand analyses: its series label and run directory (both
// checked as CSV fields), the loaded run, and the classification training loss at its model.
struct AnalysedRun {
  const std::string& label;
  const std::string& dir;
  RunForAnalysis& saved;
  FixedLoss& loss;
};
// Loads every run directory of every series in order and calls visit with each (hessian,
// sharpness: the same preamble); the run and its loss live for the call only.
void for_each_run_loss(const std::vector<SeriesSpec>& series, const LossOptions& options,
                       const std::function<void(AnalysedRun&)>& visit);

}  // namespace localsgd::analysis
