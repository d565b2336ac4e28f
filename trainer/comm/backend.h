// Defines start_backend(): which communicator a run uses. "simulated" keeps all K workers in
// this process; "mpi" and "nccl" run one worker per rank of an MPI job (MPI also does the NCCL
// rendezvous); "auto" is "mpi" when an MPI launcher started the process. The MPI session lives
// as long as the Backend.
#pragma once

#include <memory>
#include <string>

#include "comm/communicator.h"
#include "config/config.h"

namespace localsgd {

class Backend {
 public:
  virtual ~Backend() = default;
  // The communicator for Trainer: one worker per process when distributed, null when simulated.
  virtual std::unique_ptr<Communicator> take_communicator() { return nullptr; }
  virtual bool is_leader() const { return true; }
  virtual std::string name() const { return "simulated"; }
  // Ends every process of the job: after an error on one rank, the others must not wait forever.
  [[noreturn]] virtual void abort(int exit_code);
};

// Throws std::runtime_error when the backend is not built in or the job does not fit the config
// (MPI world size != algorithm.workers).
std::unique_ptr<Backend> start_backend(const RunConfig& config);

// Whether this binary was built with MPI / NCCL.
bool built_with_mpi();
bool built_with_nccl();

}  // namespace localsgd
