// Defines Dataset (a labelled image set held in memory as uint8) and load_dataset(), which
// reads Fashion-MNIST (IDX, gzip) or CIFAR-10/100 (binary batches) from disk.
// A missing, truncated or malformed file throws DataError naming the file and what was expected.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.h"
#include "data/data_shape.h"

namespace localsgd {

class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Dataset {
  torch::Tensor images;  // uint8 [N, C, H, W]
  torch::Tensor labels;  // int64 [N]
  std::int64_t num_classes = 0;
  std::vector<float> mean;  // per channel, of pixels scaled to [0, 1], from the training set
  std::vector<float> std;
  std::int64_t size() const { return labels.size(0); }
  std::int64_t channels() const { return images.size(1); }
};

struct TrainTestData {
  Dataset train;
  Dataset test;
};

// What a dataset's images look like, without reading it (for benchmarks and model sizes).
using ImageShape = DataShape;
DataShape dataset_shape(const std::string& dataset);  // throws DataError for an unknown name
inline DataShape image_shape(const std::string& dataset) { return dataset_shape(dataset); }

// The datasets load_dataset() reads, for the config schema.
std::vector<std::string> dataset_names();

// The directory used when [data] path is empty, e.g. /usr/share/datasets/fashion-mnist.
std::string default_data_path(const std::string& dataset);

// Loads both splits, applies train_subset/test_subset, and sets mean/std of both splits from
// the (subset) training set.
TrainTestData load_dataset(const DataSection& data);

}  // namespace localsgd
