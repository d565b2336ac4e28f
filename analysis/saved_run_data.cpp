#include "saved_run_data.h"

#include "analysis_error.h"
#include "io/model_file.h"

namespace localsgd::analysis {

RunForAnalysis load_run_for_analysis(const std::string& dir) {
  RunForAnalysis run;
  run.dir = dir;
  try {
    SavedRun saved = load_saved_run(dir);
    run.config = std::move(saved.config);
    run.model = std::move(saved.model);
  } catch (const std::exception& e) {
    throw AnalysisError(e.what());
  }
  try {
    run.data = load_dataset(run.config.data);
  } catch (const DataError& e) {
    throw AnalysisError(dir + "/config.toml: its data cannot be read: " + e.what());
  }
  return run;
}

}  // namespace localsgd::analysis
