// Implements NcclCommunicator (nccl_communicator.h): NCCL bootstrap over MPI, the in-place
// ncclAvg all-reduce, and teardown. Every MPI, CUDA and NCCL return code is checked and turned
// into std::runtime_error naming the file, line, rank and the library's own message.
#include "comm/nccl/nccl_communicator.h"

#include <cuda_runtime.h>
#include <nccl.h>

#include <chrono>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <thread>

#if NCCL_VERSION_CODE < NCCL_VERSION(2, 13, 0)
#error "NcclCommunicator needs NCCL >= 2.13 (ncclAvg, ncclGetLastError)"
#endif

namespace localsgd {
namespace {

[[noreturn]] void fail(const char* file, int line, int rank, const char* call, const std::string& what) {
  std::ostringstream s;
  s << file << ":" << line << ": rank " << rank << ": " << call << " failed: " << what;
  throw std::runtime_error(s.str());
}

void check_cuda(cudaError_t e, const char* call, const char* file, int line, int rank) {
  if (e != cudaSuccess) fail(file, line, rank, call, cudaGetErrorString(e));
}

void check_nccl(ncclResult_t r, const char* call, const char* file, int line, int rank) {
  if (r == ncclSuccess) return;
  std::string what = ncclGetErrorString(r);
  const char* last = ncclGetLastError(nullptr);
  if (last && *last) what += std::string(" (") + last + ")";
  fail(file, line, rank, call, what);
}

void check_mpi(int code, const char* call, const char* file, int line, int rank) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  fail(file, line, rank, call, std::string(text, length));
}

}  // namespace

#define LOCALSGD_CUDA_CHECK(rank, call) check_cuda((call), #call, __FILE__, __LINE__, (rank))
#define LOCALSGD_NCCL_CHECK(rank, call) check_nccl((call), #call, __FILE__, __LINE__, (rank))
#define LOCALSGD_MPI_CHECK(rank, call) check_mpi((call), #call, __FILE__, __LINE__, (rank))

NcclCommunicator::NcclCommunicator(MPI_Comm world, int local_rank, int block_size, double collective_timeout)
    : Communicator(world_size_of(world), block_size), watch_(world, collective_timeout) {
  LOCALSGD_MPI_CHECK(-1, MPI_Comm_rank(world, &rank_));
  LOCALSGD_MPI_CHECK(rank_, MPI_Comm_size(world, &world_size_));
  if (local_rank < 0) throw std::invalid_argument("NcclCommunicator: local rank must be >= 0");
  int devices = 0;
  LOCALSGD_CUDA_CHECK(rank_, cudaGetDeviceCount(&devices));
  if (devices < 1) throw std::runtime_error("NcclCommunicator: no CUDA device visible");
  device_ = local_rank % devices;
  try {
    LOCALSGD_MPI_CHECK(rank_, MPI_Comm_dup(world, &world_));
    LOCALSGD_CUDA_CHECK(rank_, cudaSetDevice(device_));  // NCCL binds each communicator to it
    // A blocking stream (not cudaStreamNonBlocking): it waits for work queued on the legacy
    // default stream, which is where a CUDA LibTorch would have produced device-resident rows.
    LOCALSGD_CUDA_CHECK(rank_, cudaStreamCreate(&stream_));
    world_comm_ = init_comm(world_);
    if (block_size > 1 && block_size < world_size_) {
      MPI_Comm block = MPI_COMM_NULL;
      LOCALSGD_MPI_CHECK(rank_, MPI_Comm_split(world_, rank_ / block_size, rank_, &block));
      try {
        block_comm_ = init_comm(block);
      } catch (...) {
        MPI_Comm_free(&block);
        throw;
      }
      LOCALSGD_MPI_CHECK(rank_, MPI_Comm_free(&block));  // NCCL does not use MPI after init
    }
  } catch (...) {
    release(/*abort=*/true);
    throw;
  }
}

NcclCommunicator::~NcclCommunicator() { release(failed_); }

torch::Device NcclCommunicator::device() const {
  return torch::cuda::is_available() ? torch::Device(torch::kCUDA, static_cast<torch::DeviceIndex>(device_))
                                     : torch::Device(torch::kCPU);
}

int NcclCommunicator::world_size_of(MPI_Comm world) {
  int size = 0;
  LOCALSGD_MPI_CHECK(-1, MPI_Comm_size(world, &size));
  return size;
}

void NcclCommunicator::mix_rows(torch::Tensor&, const MixingMatrix&) {
  throw std::logic_error("NcclCommunicator: gossip (mix) is not implemented for NCCL; use comm.backend = mpi");
}

std::vector<double> NcclCommunicator::gather_values(const std::vector<double>& mine) {
  if (world_size_ == 1) return mine;
  return watch_.all_gather(world_, mine);
}

ncclComm* NcclCommunicator::init_comm(MPI_Comm group) {
  int group_rank = 0, group_size = 0;
  LOCALSGD_MPI_CHECK(rank_, MPI_Comm_rank(group, &group_rank));
  LOCALSGD_MPI_CHECK(rank_, MPI_Comm_size(group, &group_size));
  ncclUniqueId id{};
  // The root's status is broadcast first so that every rank throws if it could not make an id.
  int status = group_rank == 0 ? static_cast<int>(ncclGetUniqueId(&id)) : static_cast<int>(ncclSuccess);
  LOCALSGD_MPI_CHECK(rank_, MPI_Bcast(&status, 1, MPI_INT, 0, group));
  LOCALSGD_NCCL_CHECK(rank_, static_cast<ncclResult_t>(status));
  LOCALSGD_MPI_CHECK(rank_, MPI_Bcast(&id, static_cast<int>(sizeof id), MPI_BYTE, 0, group));
  ncclComm_t comm = nullptr;
  LOCALSGD_NCCL_CHECK(rank_, ncclCommInitRank(&comm, group_size, id, group_rank));
  return comm;
}

// In-place ncclAvg over the level's communicator on our own stream, then a full wait, so the
// caller's next operation sees the result. LibTorch's current CUDA stream is not used: this
// build links a CPU-only LibTorch (no c10::cuda). CPU rows (the only kind it can make) go
// through a device staging buffer; CUDA rows (a CUDA LibTorch) are reduced where they are.
// NCCL sums in its own order (ring/tree, chunked by channel), not ring_order_mean's, so NCCL
// runs match simulated ones to float tolerance, not bit for bit.
void NcclCommunicator::reduce_rows(torch::Tensor& rows, const WorkerGroups& groups, ReduceOp op) {
  ncclDataType_t type = ncclFloat32;
  switch (rows.scalar_type()) {
    case torch::kFloat32: type = ncclFloat32; break;
    case torch::kFloat64: type = ncclFloat64; break;
    default: throw std::invalid_argument("NcclCommunicator: rows must be float32 or float64");
  }
  const bool on_device = rows.is_cuda();
  if (on_device && rows.device().index() != device_)
    throw std::invalid_argument("NcclCommunicator: CUDA rows must live on the communicator's device");
  if (failed_) throw std::runtime_error("NcclCommunicator: unusable after an earlier NCCL/CUDA error");
  // Communicator::all_reduce only calls this for groups of more than one rank. NCCL knows two
  // partitions, made at start-up: the world and the blocks.
  const bool world = groups.count() == 1;
  if (!world && groups.key() != this->groups(CommLevel::kBlock).key())
    throw std::logic_error("NcclCommunicator: only the world and the blocks are supported as groups");
  ncclComm* comm = world || block_size() == world_size_ ? world_comm_ : block_comm_;
  if (!comm) throw std::logic_error("NcclCommunicator: no communicator for this partition");
  const std::size_t count = static_cast<std::size_t>(rows.numel());
  const std::size_t bytes = count * static_cast<std::size_t>(rows.element_size());
  try {
    LOCALSGD_CUDA_CHECK(rank_, cudaSetDevice(device_));
    void* buffer = rows.data_ptr();
    if (!on_device) {
      if (bytes > staging_bytes_) {
        LOCALSGD_CUDA_CHECK(rank_, cudaFree(staging_));
        staging_ = nullptr;
        staging_bytes_ = 0;
        LOCALSGD_CUDA_CHECK(rank_, cudaMalloc(&staging_, bytes));
        staging_bytes_ = bytes;
      }
      LOCALSGD_CUDA_CHECK(rank_, cudaMemcpyAsync(staging_, buffer, bytes, cudaMemcpyHostToDevice, stream_));
      buffer = staging_;
    }
    LOCALSGD_NCCL_CHECK(rank_, ncclAllReduce(buffer, buffer, count, type, op == ReduceOp::kMean ? ncclAvg : ncclSum, comm, stream_));
    wait(comm);
    if (!on_device) {
      LOCALSGD_CUDA_CHECK(rank_, cudaMemcpyAsync(rows.data_ptr(), staging_, bytes, cudaMemcpyDeviceToHost, stream_));
      LOCALSGD_CUDA_CHECK(rank_, cudaStreamSynchronize(stream_));
    }
  } catch (...) {
    failed_ = true;
    throw;
  }
}

// cudaStreamSynchronize, but polling ncclCommGetAsyncError meanwhile: a dead peer or network
// error then surfaces as an exception instead of a hang, and a stuck rank ends the job past
// comm.collective_timeout, named over MPI as for the MPI backend.
void NcclCommunicator::wait(ncclComm* comm) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const cudaError_t state = cudaStreamQuery(stream_);
    if (state == cudaSuccess) return;
    if (state != cudaErrorNotReady) check_cuda(state, "cudaStreamQuery", __FILE__, __LINE__, rank_);
    ncclResult_t async = ncclSuccess;
    LOCALSGD_NCCL_CHECK(rank_, ncclCommGetAsyncError(comm, &async));
    check_nccl(async, "ncclAllReduce (asynchronous error)", __FILE__, __LINE__, rank_);
    const std::chrono::duration<double> waited = std::chrono::steady_clock::now() - start;
    if (watch_.timeout() > 0 && waited.count() > watch_.timeout()) watch_.end_job("the NCCL all-reduce");
    std::this_thread::yield();
  }
}

// Every rank destroys block, then world: ncclCommDestroy may synchronise with peers.
// After an error, ncclCommAbort instead, which does not wait for them. Errors are ignored.
void NcclCommunicator::release(bool abort) noexcept {
  if (device_ >= 0) cudaSetDevice(device_);
  for (ncclComm** comm : {&block_comm_, &world_comm_}) {
    if (*comm && abort) ncclCommAbort(*comm);
    else if (*comm) ncclCommDestroy(*comm);
    *comm = nullptr;
  }
  if (staging_) cudaFree(staging_);
  staging_ = nullptr;
  staging_bytes_ = 0;
  if (stream_) cudaStreamDestroy(stream_);
  stream_ = nullptr;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (world_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&world_);
  world_ = MPI_COMM_NULL;
}

int NcclCommunicator::nccl_version() {
  int version = 0;
  LOCALSGD_NCCL_CHECK(-1, ncclGetVersion(&version));
  return version;
}

int NcclCommunicator::cuda_device_count_or_zero() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the error so later CUDA calls do not report it
    return 0;
  }
  return count;
}

}  // namespace localsgd
