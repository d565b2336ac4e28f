#include "run/checkpointing.h"

#include <algorithm>
#include <filesystem>

#include "io/checkpoint.h"

namespace localsgd {

Checkpointing::Checkpointing(const std::string& run_dir, const RunConfig& config, Communicator& comm)
    : run_dir_(run_dir),
      path_(checkpoint_path(run_dir, comm.distributed() ? comm.first_worker() : -1)),
      config_(config),
      comm_(comm) {}

bool Checkpointing::resume(RunState& state) {
  if (!comm_.distributed()) return read_checkpoint(path_, config_, state);
  const std::string previous = previous_checkpoint_path(path_);
  const std::int64_t current_step = checkpoint_step(path_, config_);
  const std::int64_t previous_step = checkpoint_step(previous, config_);
  std::int64_t common = std::max(current_step, previous_step);  // -1: none
  for (const double newest : comm_.all_gather({static_cast<double>(common)}))
    common = std::min(common, static_cast<std::int64_t>(newest));
  if (common < 0) return false;
  if (common != current_step && common != previous_step)
    throw CheckpointError(path_ + ": no checkpoint of step " + std::to_string(common) +
                          ", the newest step every rank holds; remove all checkpoint.* files of " + run_dir_ +
                          " to start afresh");
  read_checkpoint(common == current_step ? path_ : previous, config_, state);
  return true;
}

void Checkpointing::save(const RunState& state) {
  const bool distributed = comm_.distributed();
  if (distributed) comm_.all_gather({static_cast<double>(state.step)});  // every rank has reached this step
  write_checkpoint(path_, config_, state, /*keep_previous=*/distributed);
}

void Checkpointing::remove_all() const {
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(run_dir_, ignored))
    if (entry.path().filename().string().rfind("checkpoint.", 0) == 0) std::filesystem::remove(entry.path(), ignored);
}

}  // namespace localsgd
