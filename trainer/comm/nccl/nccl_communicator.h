// Defines NcclCommunicator: the GPU backend of Communicator, one worker per MPI rank. Rows are
// averaged with ncclAllReduce(ncclAvg) over a world communicator or the rank's block communicator
// (block_size consecutive ranks). MPI bootstraps NCCL (unique ids, block splits) and gathers
// the small host-side metric vectors (all_gather).
#pragma once

#include <mpi.h>

#include <cstddef>
#include <string>
#include <vector>

#include "comm/communicator.h"
#include "comm/mpi/collective_watch.h"

// Opaque handles, as typedef'd by nccl.h (ncclComm_t) and cuda_runtime.h (cudaStream_t), so
// this header needs neither.
struct ncclComm;
struct CUstream_st;

namespace localsgd {

class NcclCommunicator : public Communicator {
 public:
  // Collective over `world`. Uses CUDA device local_rank % device count (Slurm may show each
  // task a single GPU). block_size > 0 must divide the world size. Destroy before MPI_Finalize.
  // A rank stuck past collective_timeout seconds ends the job, named (CollectiveWatch; 0 = never).
  NcclCommunicator(MPI_Comm world, int local_rank, int block_size, double collective_timeout = 0);
  ~NcclCommunicator() override;
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  int world_size() const override { return world_size_; }
  int local_workers() const override { return 1; }
  int first_worker() const override { return rank_; }
  std::string name() const override { return "nccl"; }
  // The GPU when LibTorch has CUDA; else the CPU (rows are then staged through the GPU).
  torch::Device device() const override;
  int cuda_device() const { return device_; }

  static int nccl_version();               // ncclGetVersion(), e.g. 22809 for 2.28.9
  static int cuda_device_count_or_zero();  // 0 when no driver or no device

 protected:
  void reduce_rows(torch::Tensor& rows, const WorkerGroups& groups, ReduceOp op) override;
  // Not implemented on NCCL yet: throws, naming the MPI backend that has it.
  void mix_rows(torch::Tensor& rows, const MixingMatrix& weights) override;
  // Every rank's values in rank order (MPI_Allgatherv on the host; counts may differ).
  std::vector<double> gather_values(const std::vector<double>& mine) override;

 private:
  static int world_size_of(MPI_Comm world);
  ncclComm* init_comm(MPI_Comm group);  // collective over `group`
  void wait(ncclComm* comm);            // until the stream drains; throws on NCCL async errors
  void release(bool abort) noexcept;

  int rank_ = 0, world_size_ = 0, device_ = -1;
  MPI_Comm world_ = MPI_COMM_NULL;  // the caller's, duplicated: NCCL bootstrap and all_gather
  ncclComm* world_comm_ = nullptr;
  ncclComm* block_comm_ = nullptr;  // nullptr when a block is one rank or the whole world
  CUstream_st* stream_ = nullptr;
  void* staging_ = nullptr;  // device copy of CPU rows
  std::size_t staging_bytes_ = 0;
  bool failed_ = false;  // an error left the communicators unusable: abort, do not destroy
  CollectiveWatch watch_;  // host-side exchanges, and the deadline of device ones
};

}  // namespace localsgd
