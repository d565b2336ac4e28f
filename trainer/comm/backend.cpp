#include "comm/backend.h"

#include <cstdlib>
#include <stdexcept>

#ifdef LOCALSGD_HAVE_MPI
#include "comm/mpi/mpi_communicator.h"
#include "comm/mpi/mpi_session.h"
#endif
#ifdef LOCALSGD_HAVE_NCCL
#include "comm/nccl/nccl_communicator.h"
#endif

namespace localsgd {

void Backend::abort(int exit_code) { std::exit(exit_code); }

bool built_with_mpi() {
#ifdef LOCALSGD_HAVE_MPI
  return true;
#else
  return false;
#endif
}

bool built_with_nccl() {
#ifdef LOCALSGD_HAVE_NCCL
  return true;
#else
  return false;
#endif
}

#ifdef LOCALSGD_HAVE_MPI
namespace {

// One worker per rank. The session outlives the communicator, which the Trainer owns and
// destroys first (Trainer lives inside the Backend's lifetime in main).
class MpiBackend : public Backend {
 public:
  // automatic: chosen by comm.backend = auto. A one-rank job is then not a distributed run but
  // a single process under a launcher (Snakemake's Slurm jobs run under `srun -n 1`), and the
  // workers are simulated in it.
  MpiBackend(const RunConfig& config, const std::string& kind, bool automatic)
      : session_(nullptr, nullptr), kind_(kind) {
    if (automatic && session_.size() == 1) {
      kind_ = "simulated";
      return;
    }
    if (session_.size() != config.algorithm.workers)
      throw std::runtime_error("the MPI job has " + std::to_string(session_.size()) +
                               " ranks but algorithm.workers = " + std::to_string(config.algorithm.workers) +
                               "; launch one rank per worker (mpirun -np " +
                               std::to_string(config.algorithm.workers) + ")");
    const int block = config.algorithm.kind == "hierarchical" ? config.algorithm.block_size : 0;
#ifdef LOCALSGD_HAVE_NCCL
    if (kind == "nccl") {
      comm_ = std::make_unique<NcclCommunicator>(MPI_COMM_WORLD, session_.local_rank(),
                                                 block > 0 ? block : session_.local_size(),
                                                 config.comm.collective_timeout);
      return;
    }
#endif
    comm_ = std::make_unique<MpiCommunicator>(session_, block, config.comm.collective_timeout);
  }
  std::unique_ptr<Communicator> take_communicator() override { return std::move(comm_); }
  bool is_leader() const override { return session_.rank() == 0; }
  std::string name() const override { return kind_; }
  [[noreturn]] void abort(int exit_code) override { MpiSession::abort(exit_code); }

 private:
  MpiSession session_;
  std::string kind_;
  std::unique_ptr<Communicator> comm_;
};

}  // namespace
#endif

std::unique_ptr<Backend> start_backend(const RunConfig& config) {
  std::string kind = config.comm.backend;
  const bool automatic = kind == "auto";
#ifdef LOCALSGD_HAVE_MPI
  if (kind == "auto") kind = MpiSession::launched_by_mpi() ? "mpi" : "simulated";
#else
  if (kind == "auto") kind = "simulated";
#endif
  if (kind == "simulated") return std::make_unique<Backend>();
  if (kind == "nccl" && !built_with_nccl())
    throw std::runtime_error("comm.backend = nccl: this localsgd-train was built without NCCL "
                             "(needs the CUDA toolkit and NCCL; -DLOCALSGD_WITH_NCCL=ON)");
#ifdef LOCALSGD_HAVE_MPI
  return std::make_unique<MpiBackend>(config, kind, automatic);
#else
  throw std::runtime_error("comm.backend = " + kind + ": this localsgd-train was built without MPI "
                           "(install libopenmpi-dev and rebuild with -DLOCALSGD_WITH_MPI=ON)");
#endif
}

}  // namespace localsgd
