// Defines Checkpointing: one process's checkpoints of a run in its run directory, and the
// agreement that makes a distributed run resume at one step on every rank. Each rank writes its
// own file, so a kill can land after some ranks wrote step s and before others did; therefore
// every distributed checkpoint waits until all ranks reach the step (their newest checkpoints are
// then at most one generation apart) and each rank keeps the generation before. Resuming loads
// the newest step that every rank holds.
#pragma once

#include <string>

#include "comm/communicator.h"
#include "config/config.h"
#include "run/run_state.h"

namespace localsgd {

class Checkpointing {
 public:
  Checkpointing(const std::string& run_dir, const RunConfig& config, Communicator& comm);

  // Loads the newest checkpoint all processes hold into `state`; false if some process has none
  // (then every process starts afresh). Throws CheckpointError naming the file.
  bool resume(RunState& state);
  // Writes this process's checkpoint of `state` (every process calls it at the same step).
  void save(const RunState& state);
  // Removes every checkpoint file of the run directory (every rank's): --force starts afresh.
  void remove_all() const;

  const std::string& path() const { return path_; }

 private:
  std::string run_dir_, path_;
  const RunConfig& config_;
  Communicator& comm_;
};

}  // namespace localsgd
