// Defines MpiSession: the process's MPI lifetime (MPI_Init_thread .. MPI_Finalize), its world
// rank and size, and its node (shared-memory) rank and size; plus mpi_check(), which turns MPI
// error codes into exceptions. Everything MPI-aware outlives no session: destroy it last.
#pragma once

#include <mpi.h>

namespace localsgd {

// Throws std::runtime_error naming the call, the world rank and MPI_Error_string(code) unless
// code is MPI_SUCCESS. Only meaningful on communicators with MPI_ERRORS_RETURN set.
void mpi_check(int code, const char* call);

class MpiSession {
 public:
  // FUNNELED: torch may run intra-op threads, but only the main thread calls MPI.
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // Within this node, from MPI_Comm_split_type(SHARED): correct under mpirun and srun alike,
  // unlike launcher variables (OMPI_COMM_WORLD_LOCAL_RANK is unset under srun, SLURM_LOCALID
  // under mpirun).
  int local_rank() const { return local_rank_; }
  int local_size() const { return local_size_; }
  // The ranks of this node, ordered by world rank; MPI_ERRORS_RETURN set. Owned by the session.
  MPI_Comm node_comm() const { return node_comm_; }

  // Whether a launcher started this process; callable before MPI_Init, for picking the backend.
  static bool launched_by_mpi();
  // Ends every rank of the job (a lone rank's exception would leave the others in collectives).
  [[noreturn]] static void abort(int code);

 private:
  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
  MPI_Comm node_comm_ = MPI_COMM_NULL;
};

}  // namespace localsgd
