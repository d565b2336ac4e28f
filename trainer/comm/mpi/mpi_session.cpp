// MpiSession: MPI start-up and shut-down, node discovery through MPI_COMM_TYPE_SHARED, and the
// error-code-to-exception helper shared by the MPI backend.
#include "comm/mpi/mpi_session.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace localsgd {

void mpi_check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  int rank = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  throw std::runtime_error(std::string(call) + " failed on rank " + std::to_string(rank) + ": " +
                           std::string(text, static_cast<std::size_t>(length)));
}

MpiSession::MpiSession(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) throw std::logic_error("MpiSession: MPI is already initialized");
  int provided = 0;
  // Before any communicator exists, errors here are fatal by MPI's default handler anyway.
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  if (provided < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    throw std::runtime_error("MpiSession: the MPI library does not provide MPI_THREAD_FUNNELED");
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  // key = world rank keeps node ranks in world order: node blocks are then ring-ordered
  // exactly as the simulated communicator orders a block's workers.
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node_comm_);
  MPI_Comm_set_errhandler(node_comm_, MPI_ERRORS_RETURN);
  mpi_check(MPI_Comm_rank(node_comm_, &local_rank_), "MPI_Comm_rank(node)");
  mpi_check(MPI_Comm_size(node_comm_, &local_size_), "MPI_Comm_size(node)");
}

MpiSession::~MpiSession() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  if (node_comm_ != MPI_COMM_NULL) MPI_Comm_free(&node_comm_);
  MPI_Finalize();
}

bool MpiSession::launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

void MpiSession::abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();  // MPI_Abort should not return; make sure of it.
}

}  // namespace localsgd
