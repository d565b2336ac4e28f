#include "evaluate_command.h"

#include <algorithm>
#include <sstream>

#include "analysis_error.h"
#include "csv_writer.h"
#include "data/dataset.h"
#include "data/sample_source.h"
#include "util/json_record.h"
#include "io/model_file.h"
#include "staged_outputs.h"
#include "task/evaluation.h"

namespace localsgd::analysis {

void run_evaluate(const EvaluateOptions& options, std::ostream& log) {
  std::ostringstream csv, jsonl;
  csv << "label,run,split,samples,loss,accuracy\n";
  for (const auto& spec : options.series)
    for (const auto& dir : spec.run_dirs) {
      check_label(spec.label);
      check_label(dir);  // a CSV field as is
      SavedRun run;
      try {
        run = load_saved_run(dir);
      } catch (const std::exception& e) {
        throw AnalysisError(e.what());
      }
      TrainTestData data;
      try {
        data = load_dataset(run.config.data);
      } catch (const DataError& e) {
        throw AnalysisError(dir + "/config.toml: its data cannot be read: " + e.what());
      }
      const InMemoryImages source(options.split == "train" ? data.train : data.test);
      const std::int64_t n = options.samples > 0 ? std::min(options.samples, source.size()) : source.size();
      const LossAccuracy result = evaluate(*run.model, source, Classification(), run.config.data.eval_batch, n);
      csv << spec.label << "," << dir << "," << options.split << "," << n << "," << format_number(result.loss) << ","
          << format_number(result.accuracy) << "\n";
      jsonl << JsonRecord().add("label", spec.label).add("run", dir).add("split", options.split)
                   .add("samples", n).add("loss", result.loss).add("accuracy", result.accuracy).str() << "\n";
      log << "evaluate: " << dir << " " << options.split << " loss " << result.loss << " accuracy " << result.accuracy << "\n";
    }
  StagedOutputs outputs(options.out);
  outputs.write(".csv", csv.str());
  outputs.write(".jsonl", jsonl.str());
  outputs.commit({".csv", ".jsonl"});
}

}  // namespace localsgd::analysis
