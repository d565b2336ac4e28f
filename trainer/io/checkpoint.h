// Defines the checkpoint format: one file per process in the run directory
// (checkpoint.pt when the workers are simulated, checkpoint.rank<r>.pt per MPI rank), a LibTorch
// archive holding a format version, a hash of the effective config, the step and the RunState.
// Written to a temporary name and renamed, so a kill during the write leaves the previous
// checkpoint; a rank may also keep the generation before (checkpoint.rank<r>.previous.pt), so
// that ranks killed between their writes still share one step (run/checkpointing.h). A
// checkpoint of another config is refused, saying so.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "config/config.h"
#include "run/run_state.h"

namespace localsgd {

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

constexpr std::int64_t kCheckpointFormat = 1;

// This process's checkpoint file in `run_dir` (rank < 0: the workers are simulated).
std::string checkpoint_path(const std::string& run_dir, int rank);

// FNV-1a 64 of the effective config (to_toml), in hex: what a checkpoint must match.
std::string config_hash(const RunConfig& config);

// The file that keeps the generation before `path`'s (checkpoint.rank0.pt -> checkpoint.rank0.previous.pt).
std::string previous_checkpoint_path(const std::string& path);

// Writes the state atomically (creates run_dir if needed); with keep_previous, the checkpoint it
// replaces moves to previous_checkpoint_path(path). Throws CheckpointError with the reason.
void write_checkpoint(const std::string& path, const RunConfig& config, const RunState& state,
                      bool keep_previous = false);

// The step a checkpoint was written after, or -1 if there is no file at `path`. Throws
// CheckpointError if it is unreadable or of another format or config.
std::int64_t checkpoint_step(const std::string& path, const RunConfig& config);

// Loads `path` into `state` if it exists (returns false if not). Throws CheckpointError if it is
// unreadable, of another format or of another config.
bool read_checkpoint(const std::string& path, const RunConfig& config, RunState& state);

}  // namespace localsgd
