// Defines MixingMatrix: the weights of one gossip step (DPSGD), x_i <- sum_j w_ij x_j over the
// neighbours j of worker i (i itself included when w_ii != 0), summed in ascending j. The
// sparsity pattern must be symmetric (j hears i whenever i hears j), so that every transport
// can swap rows pairwise.
#pragma once

#include <utility>
#include <vector>

namespace localsgd {

class MixingMatrix {
 public:
  // rows[i] = (j, w_ij) pairs; throws std::invalid_argument for a bad index or an asymmetric pattern.
  MixingMatrix(int workers, std::vector<std::vector<std::pair<int, double>>> rows);
  // The ring: w_ii = w_i,i-1 = w_i,i+1 = 1/3 (K >= 3), doubly stochastic.
  static MixingMatrix ring(int workers);
  // Every worker with every worker, w_ij = 1/K: one mixing step is the exact average.
  static MixingMatrix complete(int workers);

  int workers() const { return static_cast<int>(rows_.size()); }
  // (j, w_ij) of worker i, ascending j.
  const std::vector<std::pair<int, double>>& row(int i) const { return rows_.at(i); }
  // The neighbours j != i of worker i, ascending.
  std::vector<int> neighbours(int i) const;

 private:
  std::vector<std::vector<std::pair<int, double>>> rows_;
};

}  // namespace localsgd
