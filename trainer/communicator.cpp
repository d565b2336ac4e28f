#include "communicator.h"

#include <stdexcept>
#include <string>

namespace localsgd {

void Communicator::average(torch::Tensor& rows) {
  if (rows.dim() != 2 || rows.size(0) != local_workers() || !rows.is_contiguous())
    throw std::invalid_argument("Communicator::average expects contiguous [local_workers, n] rows");
  const int k = world_size();
  stats_.rounds += 1;
  const std::int64_t payload = rows.size(1) * static_cast<std::int64_t>(rows.element_size());
  stats_.bytes += 2 * (k - 1) * payload / k;
  if (k > 1) average_rows(rows);
}

SimulatedCommunicator::SimulatedCommunicator(int workers) : workers_(workers) {
  if (workers < 1) throw std::invalid_argument("SimulatedCommunicator: workers must be >= 1");
}

void SimulatedCommunicator::average_rows(torch::Tensor& rows) {
  torch::NoGradGuard no_grad;
  if (!sum_.defined() || sum_.numel() != rows.size(1) || sum_.dtype() != rows.dtype())
    sum_ = torch::empty({rows.size(1)}, rows.options());
  sum_.copy_(rows[0]);
  for (int k = 1; k < workers_; ++k) sum_.add_(rows[k]);
  sum_.div_(workers_);
  rows.copy_(sum_.unsqueeze(0).expand_as(rows));
}

std::unique_ptr<Communicator> make_communicator(int workers) {
  return std::make_unique<SimulatedCommunicator>(workers);
}

}  // namespace localsgd
