#include "comm/mixing_matrix.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace localsgd {

MixingMatrix::MixingMatrix(int workers, std::vector<std::vector<std::pair<int, double>>> rows)
    : rows_(std::move(rows)) {
  if (static_cast<int>(rows_.size()) != workers)
    throw std::invalid_argument("MixingMatrix: expected " + std::to_string(workers) + " rows");
  for (auto& r : rows_) {
    std::sort(r.begin(), r.end());
    for (std::size_t k = 0; k < r.size(); ++k)
      if (r[k].first < 0 || r[k].first >= workers || (k > 0 && r[k].first == r[k - 1].first))
        throw std::invalid_argument("MixingMatrix: bad or repeated neighbour " + std::to_string(r[k].first));
  }
  for (int i = 0; i < workers; ++i)
    for (int j : neighbours(i)) {
      const auto n = neighbours(j);
      if (!std::binary_search(n.begin(), n.end(), i))
        throw std::invalid_argument("MixingMatrix: " + std::to_string(i) + " hears " + std::to_string(j) +
                                    " but not the other way round");
    }
}

MixingMatrix MixingMatrix::ring(int workers) {
  if (workers < 3) throw std::invalid_argument("MixingMatrix::ring needs at least 3 workers");
  std::vector<std::vector<std::pair<int, double>>> rows(workers);
  for (int i = 0; i < workers; ++i)
    rows[i] = {{(i + workers - 1) % workers, 1.0 / 3}, {i, 1.0 / 3}, {(i + 1) % workers, 1.0 / 3}};
  return MixingMatrix(workers, std::move(rows));
}

MixingMatrix MixingMatrix::complete(int workers) {
  std::vector<std::vector<std::pair<int, double>>> rows(workers);
  for (int i = 0; i < workers; ++i)
    for (int j = 0; j < workers; ++j) rows[i].emplace_back(j, 1.0 / workers);
  return MixingMatrix(workers, std::move(rows));
}

std::vector<int> MixingMatrix::neighbours(int i) const {
  std::vector<int> out;
  for (const auto& [j, w] : row(i))
    if (j != i) out.push_back(j);
  return out;
}

}  // namespace localsgd
