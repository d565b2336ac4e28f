// Defines the stop request: SIGTERM, SIGINT and SIGUSR1 (what Slurm sends before a time limit
// with --signal=USR1@SECONDS) set a flag instead of killing the process, so that the trainer can
// stop at a step boundary, write a checkpoint and exit; the rerun resumes.
#pragma once

namespace localsgd {

// Installs the handlers (idempotent).
void install_stop_handlers();
// Whether a stop signal arrived, and which (0: none).
bool stop_requested();
int stop_signal();
// For tests: as if `signal` had arrived (0 clears).
void request_stop(int signal);

}  // namespace localsgd
