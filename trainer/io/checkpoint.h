// Defines the checkpoint format: one file per process in the run directory
// (checkpoint.pt when the workers are simulated, checkpoint.rank<r>.pt per MPI rank), a LibTorch
// archive holding a format version, a hash of the effective config and the RunState. Written to a
// temporary name and renamed, so a kill during the write leaves the previous checkpoint. A run
// started on a directory holding a checkpoint of the same config resumes from it; one of another
// config is refused, saying so.
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

// Writes the state atomically (creates run_dir if needed). Throws CheckpointError with the reason.
void write_checkpoint(const std::string& path, const RunConfig& config, const RunState& state);

// Loads `path` into `state` if it exists (returns false if not). Throws CheckpointError if it is
// unreadable, of another format or of another config.
bool read_checkpoint(const std::string& path, const RunConfig& config, RunState& state);

}  // namespace localsgd
