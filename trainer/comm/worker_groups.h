// Defines WorkerGroups: a partition of the K workers into groups, the unit a collective runs
// over (each group reduces among itself). The world is one group; hierarchical SGD's blocks are
// consecutive runs of block_size workers; any other partition (gossip neighbourhoods, subsets
// of stragglers) is a list of member lists. Members keep their order: it is the ring order.
#pragma once

#include <string>
#include <vector>

namespace localsgd {

class WorkerGroups {
 public:
  // Every worker in one group.
  static WorkerGroups world(int workers);
  // Consecutive blocks of block_size workers; block_size must divide workers.
  static WorkerGroups blocks(int workers, int block_size);
  // Any partition of 0..K-1: throws std::invalid_argument unless every worker is in exactly one.
  WorkerGroups(int workers, std::vector<std::vector<int>> members);

  int workers() const { return workers_; }
  int count() const { return static_cast<int>(members_.size()); }
  const std::vector<int>& members(int group) const { return members_.at(group); }
  int group_of(int worker) const { return group_of_.at(worker); }
  int position_of(int worker) const { return position_.at(worker); }
  int size_of_group_of(int worker) const { return static_cast<int>(members(group_of(worker)).size()); }
  int largest() const;
  // Consecutive equal blocks (the world included) have a fast path in every transport.
  bool consecutive_blocks() const;
  // A canonical text for the partition, e.g. "0,1|2,3": transports cache their group handles by it.
  const std::string& key() const { return key_; }

 private:
  int workers_;
  std::vector<std::vector<int>> members_;
  std::vector<int> group_of_, position_;
  std::string key_;
};

}  // namespace localsgd
