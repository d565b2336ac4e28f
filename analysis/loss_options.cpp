#include "loss_options.h"

#include "analysis_error.h"
#include "csv_writer.h"
#include "util/threads.h"

namespace localsgd::analysis {

const char* const kLossOptionNames[6] = {"samples", "batch", "bn", "precision", "seed", "threads"};
const char* const kLossOptionsUsage =
    "      [--samples N (4096; 0 = all training samples)] [--batch B (512)] [--bn running|batch]\n"
    "      [--precision float|double] [--seed S (0)] [--threads N (0 = the CPUs it may use)]\n";

LossOptions parse_loss_options(const ParsedArguments& p) {
  LossOptions o;
  o.samples = p.count("samples", o.samples);
  o.batch = p.count("batch", o.batch, 1);
  const std::string bn = p.text("bn", "running");
  require_one_of<UsageError>("--bn", bn, {"running", "batch"});
  o.statistics = bn == "batch" ? NormStatistics::kBatch : NormStatistics::kRunning;
  const std::string precision = p.text("precision", "float");
  require_one_of<UsageError>("--precision", precision, {"float", "double"});
  o.double_precision = precision == "double";
  o.seed = static_cast<std::uint64_t>(p.count("seed", 0));
  o.threads = static_cast<int>(p.count("threads", 0));
  if (o.threads > 1024) throw UsageError("--threads: at most 1024, got " + std::to_string(o.threads));
  apply_thread_count(o.threads);
  return o;
}

std::unique_ptr<FixedLoss> training_loss(RunForAnalysis& run, const LossOptions& options, const Task& task,
                                         const SampleSource& train) {
  if (options.double_precision) run.model->to(torch::kDouble);
  return std::make_unique<FixedLoss>(*run.model, train, task, options.samples, options.batch, options.statistics);
}

void for_each_run_loss(const std::vector<SeriesSpec>& series, const LossOptions& options,
                       const std::function<void(AnalysedRun&)>& visit) {
  const Classification task;
  for (const SeriesSpec& spec : series)
    for (const std::string& dir : spec.run_dirs) {
      check_label(spec.label);
      check_label(dir);
      RunForAnalysis saved = load_run_for_analysis(dir);
      const InMemoryImages train(saved.data.train);
      const std::unique_ptr<FixedLoss> loss = training_loss(saved, options, task, train);
      AnalysedRun run{spec.label, dir, saved, *loss};
      visit(run);
    }
}

}  // namespace localsgd::analysis
