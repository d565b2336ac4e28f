// Defines read_libsvm(): a file in the LIBSVM (svmlight) sparse format, one sample a line:
//   <label> <index>:<value> <index>:<value> ...   [# comment]
// indices from 1, strictly ascending; absent features are 0. Blank and comment-only lines are
// skipped. Gzip files are read as well. A malformed line throws DataError naming the file, the
// line number and what was expected, so a damaged download is found before training.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace localsgd {

struct SparseSamples {
  std::vector<double> labels;             // as written, one per sample
  std::vector<std::int64_t> row_starts;   // sample i's entries are [row_starts[i], row_starts[i + 1])
  std::vector<std::int64_t> indices;      // 0-based feature indices
  std::vector<float> values;
  std::int64_t dimension = 0;             // the largest index written (1-based), so columns 0..dimension-1
  std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
};

SparseSamples read_libsvm(const std::string& path);

// The samples as a dense float [size, dimension] tensor (dimension >= samples.dimension: a test
// split may not use the last features of the training split).
torch::Tensor dense_features(const SparseSamples& samples, std::int64_t dimension);

}  // namespace localsgd

namespace localsgd {

struct DataSection;
class InMemoryFeatures;

struct LibsvmSplits {
  std::shared_ptr<const InMemoryFeatures> train, test;
};

// A binary LIBSVM dataset: the training file at data.path and its test split beside it with
// ".t" appended (the LIBSVM site's names: w8a and w8a.t), densified to the larger dimension of
// the two. The training labels must take exactly two values (-1/+1, 0/1, ...): the smaller is
// class 0, the larger class 1; a test label must be one of them. data.train_subset and
// data.test_subset keep the first samples.
LibsvmSplits load_libsvm(const DataSection& data);

}  // namespace localsgd
