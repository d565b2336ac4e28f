#include "comm/worker_groups.h"

#include <algorithm>
#include <stdexcept>

namespace localsgd {

WorkerGroups WorkerGroups::world(int workers) { return blocks(workers, workers); }

WorkerGroups WorkerGroups::blocks(int workers, int block_size) {
  if (workers < 1 || block_size < 1 || workers % block_size != 0)
    throw std::invalid_argument("WorkerGroups: block size " + std::to_string(block_size) +
                                " must divide the " + std::to_string(workers) + " workers");
  std::vector<std::vector<int>> members(workers / block_size);
  for (int w = 0; w < workers; ++w) members[w / block_size].push_back(w);
  return WorkerGroups(workers, std::move(members));
}

WorkerGroups::WorkerGroups(int workers, std::vector<std::vector<int>> members)
    : workers_(workers), members_(std::move(members)), group_of_(workers, -1), position_(workers, -1) {
  for (int g = 0; g < count(); ++g) {
    if (members_[g].empty()) throw std::invalid_argument("WorkerGroups: group " + std::to_string(g) + " is empty");
    for (int p = 0; p < static_cast<int>(members_[g].size()); ++p) {
      const int w = members_[g][p];
      if (w < 0 || w >= workers || group_of_[w] >= 0)
        throw std::invalid_argument("WorkerGroups: worker " + std::to_string(w) +
                                    " is out of range or in two groups");
      group_of_[w] = g;
      position_[w] = p;
      key_ += (p == 0 ? (g == 0 ? "" : "|") : ",") + std::to_string(w);
    }
  }
  for (int w = 0; w < workers; ++w)
    if (group_of_[w] < 0) throw std::invalid_argument("WorkerGroups: worker " + std::to_string(w) + " is in no group");
}

int WorkerGroups::largest() const {
  std::size_t n = 0;
  for (const auto& m : members_) n = std::max(n, m.size());
  return static_cast<int>(n);
}

bool WorkerGroups::consecutive_blocks() const {
  const int size = static_cast<int>(members_[0].size());
  for (int w = 0; w < workers_; ++w)
    if (group_of_[w] != w / size || position_[w] != w % size) return false;
  return true;
}

}  // namespace localsgd
