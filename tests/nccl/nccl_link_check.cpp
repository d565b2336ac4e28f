// localsgd_nccl_link_check: proves the NCCL backend compiles and links. It touches no GPU: it
// prints the linked NCCL version and the number of visible CUDA devices (0 without a driver).
// A never-called factory makes the linker resolve NcclCommunicator's constructor and vtable.
#include <cstdio>
#include <memory>

#include "comm/nccl/nccl_communicator.h"

namespace {

std::unique_ptr<localsgd::Communicator> make_nccl(MPI_Comm world) {
  return std::make_unique<localsgd::NcclCommunicator>(world, 0, 1);
}

}  // namespace

int main() {
  using localsgd::NcclCommunicator;
  auto* volatile factory = &make_nccl;  // volatile: kept, so its references must link
  (void)factory;
  const int code = NcclCommunicator::nccl_version();
  // NCCL >= 2.9 encodes MAJOR*10000 + MINOR*100 + PATCH; older ones MAJOR*1000 + MINOR*100 + PATCH.
  const int major = code >= 10000 ? code / 10000 : code / 1000;
  const int minor = code >= 10000 ? code % 10000 / 100 : code % 1000 / 100;
  std::printf("NCCL version %d.%d.%d (code %d)\n", major, minor, code % 100, code);
  std::printf("CUDA devices: %d\n", NcclCommunicator::cuda_device_count_or_zero());
  return 0;
}
