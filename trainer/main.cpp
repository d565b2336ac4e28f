// localsgd-train: one TOML config -> one run directory. The only place that exits.
//   localsgd-train CONFIG.toml --out RUN_DIR [--force] [--set section.key=value]...
//   mpirun -np K localsgd-train CONFIG.toml --out RUN_DIR     (one worker per rank)
//   localsgd-train --describe   (the algorithms, models, datasets and keys, as JSON)
// Exit codes: 0 completed or diverged (see summary.json), 1 runtime error, 2 bad usage, config or
// run directory (in use, holding a completed or a foreign run, unwritable),
// 128 + N stopped by signal N (SIGTERM, SIGINT, SIGUSR1) after writing a checkpoint: run again to resume.
#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "algo/trainer_schema.h"
#include "comm/backend.h"
#include "config/config.h"
#include "data/data_kinds.h"
#include "data/dataset.h"
#include "io/progress_line.h"
#include "io/run_directory.h"
#include "util/stop_signal.h"
#include "util/threads.h"
#include "run/checkpointing.h"
#include "run/trainer.h"

namespace {

constexpr const char* kUsage =
    "usage: localsgd-train CONFIG.toml --out RUN_DIR [--force] [--set section.key=value]...\n"
    "       localsgd-train --describe\n"
    "  --force  replace a completed run in RUN_DIR and start afresh (its checkpoints discarded)\n";

struct Arguments {
  std::string config, out;
  std::vector<std::string> overrides;
  bool force = false;
};

bool parse_arguments(int argc, char** argv, Arguments& args, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool takes_value = a == "--out" || a == "--set";
    if (takes_value && i + 1 >= argc) {
      error = a + " needs a value";
      return false;
    }
    if (a == "--out") args.out = argv[++i];
    else if (a.rfind("--out=", 0) == 0) args.out = a.substr(6);
    else if (a == "--set") args.overrides.push_back(argv[++i]);
    else if (a == "--force") args.force = true;
    else if (a.rfind("--set=", 0) == 0) args.overrides.push_back(a.substr(6));
    else if (a.rfind("--", 0) == 0) error = "unknown option " + a;
    else if (args.config.empty()) args.config = a;
    else error = "unexpected argument " + a;
    if (!error.empty()) return false;
  }
  if (args.config.empty()) error = "missing CONFIG.toml";
  else if (args.out.empty()) error = "missing --out RUN_DIR";
  return error.empty();
}

// Trains (resuming from a checkpoint in `out` if there is one) and, on the leader, writes the run directory.
int train(const localsgd::RunConfig& config, const Arguments& args, localsgd::Backend& backend) {
  using namespace localsgd;
  if (config.run.threads > available_cpus())  // oversubscribed threads spin-wait: ~15x slower (BENCHMARKS.md)
    throw ConfigError("run.threads: " + std::to_string(config.run.threads) + " threads, but this process may run on " +
                      std::to_string(available_cpus()) + " CPUs (its affinity mask within Slurm's allocation "
                      "and its node's MPI ranks); set run.threads to at most that, or 0 for all of them");
  const int threads = apply_thread_count(config.run.threads);
  if (backend.is_leader())
    std::cerr << "# localsgd-train: backend " << backend.name() << ", " << threads
              << " intra-op threads; effective config:\n" << to_toml(config);
  const std::string& out = args.out;
  std::optional<RunDirectory> run_directory;  // the leader's: it writes the results
  if (backend.is_leader()) run_directory.emplace(RunDirectory::claim(out, args.force));
  const TrainTestSources data = load_sources(config.data);
  Trainer trainer(config, *data.train, *data.test, backend.take_communicator());
  ProgressLine progress;
  Checkpointing checkpoints(out, config, trainer.communicator());
  if (args.force) checkpoints.remove_all();  // every rank, before resume()'s agreement
  if (checkpoints.resume(trainer.state()) && backend.is_leader())
    std::cerr << "# localsgd-train: resuming from " << checkpoints.path() << " at step " << trainer.state().step << "\n";
  const std::int64_t every = config.run.checkpoint_every_steps, total = trainer.timeline().total_steps();
  RunResult result;
  for (;;) {  // in chunks of checkpoint_every_steps, each followed by a checkpoint
    const std::int64_t until = every > 0 ? std::min(total, (trainer.state().step / every + 1) * every) : total;
    result = trainer.run([&](const EvalRecord& r) { progress.evaluated(r); },
                         [&](const Progress& p) { progress.update(p); }, until);
    if (result.status != "completed" || result.stopped || trainer.state().step >= total) break;
    checkpoints.save(trainer.state());
  }
  if (result.stopped) {  // a stop signal: keep the state for the rerun, write no results
    checkpoints.save(trainer.state());
    progress.finish();
    if (backend.is_leader())
      std::cerr << "localsgd-train: stopped by signal " << stop_signal() << " after step " << trainer.state().step
                << "; checkpoint written, run the same command again to resume\n";
    return 128 + stop_signal();
  }
  progress.finish();
  Model& model = trainer.averaged_model();  // a collective: every process takes part
  if (!backend.is_leader()) return 0;
  const RunState& state = trainer.state();
  run_directory->finish(config, result, state.metrics_lines, state.timing_lines, model,
                        trainer.replicas().parameter_count());
  std::cerr << "localsgd-train: " << result.status;
  if (result.diverged_at_step >= 0) std::cerr << " at step " << result.diverged_at_step;
  std::cerr << "; outputs in " << out << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace localsgd;
  if (argc == 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))) {
    std::cout << kUsage;
    return 0;
  }
  if (argc == 2 && !std::strcmp(argv[1], "--describe")) {
    std::cout << describe_json(trainer_schema());
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
  std::unique_ptr<Backend> backend;
  try {
    backend = start_backend(config);
  } catch (const std::exception& e) {
    std::cerr << "localsgd-train: error: " << e.what() << "\n";
    return 1;
  }
  // Output piped into a reader that exits early (`| head -1`) must not kill the run: writes to
  // the closed pipe fail quietly and the results still go to the run directory.
  std::signal(SIGPIPE, SIG_IGN);
  // Past a file-size limit (ulimit -f) a write fails with EFBIG, reported with the file's name.
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    install_stop_handlers();
    return train(config, args, *backend);
  } catch (const ConfigError& e) {  // found against the data (a batch larger than the training set)
    std::cerr << "localsgd-train: invalid config\n" << e.what() << "\n";
    backend->abort(2);
  } catch (const RunDirectoryError& e) {
    std::cerr << "localsgd-train: error: " << e.what() << "\n";
    backend->abort(2);
  } catch (const std::bad_alloc&) {
    std::cerr << "localsgd-train: error: out of memory: " << config.algorithm.workers << " workers of this model"
              << " do not fit in this machine's memory; use fewer workers (algorithm.workers) or a smaller model\n";
    backend->abort(1);
  } catch (const std::exception& e) {
    std::cerr << "localsgd-train: error: " << e.what() << "\n";
    backend->abort(1);  // distributed: take the other ranks down instead of leaving them waiting
  }
}
