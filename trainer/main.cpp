// localsgd-train: one TOML config -> one run directory. The only place that exits.
//   localsgd-train CONFIG.toml --out RUN_DIR [--set section.key=value]...
// Exit codes: 0 completed or diverged (see summary.json), 1 runtime error, 2 bad usage or config.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "config.h"
#include "dataset.h"
#include "progress_line.h"
#include "run_directory.h"
#include "threads.h"
#include "trainer.h"

namespace {

constexpr const char* kUsage =
    "usage: localsgd-train CONFIG.toml --out RUN_DIR [--set section.key=value]...\n";

struct Arguments {
  std::string config, out;
  std::vector<std::string> overrides;
};

bool parse_arguments(int argc, char** argv, Arguments& args, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const std::string& flag) -> const char* {
      if (i + 1 < argc) return argv[++i];
      error = flag + " needs a value";
      return nullptr;
    };
    if (a == "--out") { if (const char* v = value(a)) args.out = v; else return false; }
    else if (a.rfind("--out=", 0) == 0) args.out = a.substr(6);
    else if (a == "--set") { if (const char* v = value(a)) args.overrides.push_back(v); else return false; }
    else if (a.rfind("--set=", 0) == 0) args.overrides.push_back(a.substr(6));
    else if (a.rfind("--", 0) == 0) { error = "unknown option " + a; return false; }
    else if (args.config.empty()) args.config = a;
    else { error = "unexpected argument " + a; return false; }
  }
  if (args.config.empty()) error = "missing CONFIG.toml";
  else if (args.out.empty()) error = "missing --out RUN_DIR";
  return error.empty();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace localsgd;
  if (argc == 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))) {
    std::cout << kUsage;
    return 0;
  }
  Arguments args;
  std::string usage_error;
  if (!parse_arguments(argc, argv, args, usage_error)) {
    std::cerr << "localsgd-train: " << usage_error << "\n" << kUsage;
    return 2;
  }
  RunConfig config;
  try {
    config = load_config(args.config, args.overrides);
  } catch (const ConfigError& e) {
    std::cerr << "localsgd-train: invalid config\n" << e.what() << "\n";
    return 2;
  }
  try {
    const int threads = apply_thread_count(config.run.threads);
    std::cerr << "# localsgd-train: " << threads << " intra-op threads; effective config:\n" << to_toml(config);
    const TrainTestData data = load_dataset(config.data);
    Trainer trainer(config, data);
    RunDirectory run_directory(args.out);
    ProgressLine progress;
    const RunResult result = trainer.run(
        [&](const EvalRecord& r) { run_directory.record(r); progress.evaluated(r); },
        [&](const Progress& p) { progress.update(p); });
    progress.finish();
    run_directory.finish(config, result, trainer.averaged_model(), trainer.replicas().parameter_count());
    std::cerr << "localsgd-train: " << result.status;
    if (result.diverged_at_step >= 0) std::cerr << " at step " << result.diverged_at_step;
    std::cerr << "; outputs in " << args.out << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "localsgd-train: error: " << e.what() << "\n";
    return 1;
  }
}
