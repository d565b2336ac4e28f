// Implements load_dataset: Fashion-MNIST from gzip IDX files and CIFAR-10/100 from their
// binary batches, with strict size checks, subsetting, and per-channel mean/std of the
// training images.
#include "data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "data/file_bytes.h"

namespace localsgd {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) { data_file_error(path, what); }

std::uint32_t big_endian_u32(const Bytes& bytes, std::size_t offset) {
  return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
         (std::uint32_t{bytes[offset + 2]} << 8) | std::uint32_t{bytes[offset + 3]};
}

std::string hex(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", value);
  return text;
}

// Checks the decompressed size against the one the header promises; a short file is
// truncated, a long one carries trailing data (both mean a damaged or wrong file).
void check_size(const std::string& path, const Bytes& bytes, std::size_t expected) {
  if (bytes.size() == expected) return;
  fail(path, std::string(bytes.size() < expected ? "truncated" : "trailing data") + ": expected " +
                 std::to_string(expected) + " bytes after decompression, got " +
                 std::to_string(bytes.size()));
}

// The IDX header: `fields` big-endian int32s, the first being the magic number.
std::vector<std::uint32_t> idx_header(const std::string& path, const Bytes& bytes,
                                      std::uint32_t magic, std::size_t fields) {
  if (bytes.size() < 4 * fields) {
    fail(path, "truncated: expected a " + std::to_string(4 * fields) +
                   "-byte IDX header after decompression, got " + std::to_string(bytes.size()) +
                   " bytes");
  }
  std::vector<std::uint32_t> header;
  for (std::size_t i = 0; i < fields; ++i) header.push_back(big_endian_u32(bytes, 4 * i));
  if (header[0] != magic) fail(path, "bad magic number: expected " + hex(magic) + ", got " + hex(header[0]));
  return header;
}

torch::Tensor to_tensor(const std::uint8_t* data, std::vector<std::int64_t> shape) {
  return torch::from_blob(const_cast<std::uint8_t*>(data), shape, torch::kUInt8).clone();
}

void check_labels(const std::string& path, const torch::Tensor& labels, std::int64_t classes) {
  if (labels.numel() == 0) return;
  std::int64_t largest = labels.max().item<std::int64_t>();
  if (largest >= classes) {
    fail(path, "label out of range: expected labels below " + std::to_string(classes) + ", got " +
                   std::to_string(largest));
  }
}

Dataset load_idx_split(const std::string& dir, const std::string& prefix) {
  const std::string image_path = dir + "/" + prefix + "-images-idx3-ubyte.gz";
  const std::string label_path = dir + "/" + prefix + "-labels-idx1-ubyte.gz";
  Bytes image_bytes = read_file_bytes(image_path);
  auto image_header = idx_header(image_path, image_bytes, 0x00000803, 4);
  const std::int64_t count = image_header[1], rows = image_header[2], cols = image_header[3];
  if (rows != 28 || cols != 28) {
    fail(image_path, "bad image size: expected 28x28, got " + std::to_string(rows) + "x" +
                         std::to_string(cols));
  }
  check_size(image_path, image_bytes, 16 + static_cast<std::size_t>(count * rows * cols));

  Bytes label_bytes = read_file_bytes(label_path);
  auto label_header = idx_header(label_path, label_bytes, 0x00000801, 2);
  if (label_header[1] != count) {
    fail(label_path, "label count does not match the images: expected " + std::to_string(count) +
                         " labels (as in " + image_path + "), got " + std::to_string(label_header[1]));
  }
  check_size(label_path, label_bytes, 8 + static_cast<std::size_t>(count));

  Dataset data;
  data.images = to_tensor(image_bytes.data() + 16, {count, 1, rows, cols});
  data.labels = to_tensor(label_bytes.data() + 8, {count}).to(torch::kLong);
  data.num_classes = 10;
  check_labels(label_path, data.labels, data.num_classes);
  return data;
}

// CIFAR records are [label bytes..., R plane, G plane, B plane] with 32x32 row-major planes;
// the last label byte is the one used (CIFAR-100: fine label after the coarse one). Every file of
// the distribution holds a fixed number of records: fewer is a truncated download.
Dataset load_cifar_split(const std::vector<std::string>& paths, std::int64_t records_per_file,
                         std::int64_t label_bytes, std::int64_t classes) {
  const std::int64_t record = label_bytes + 3 * 32 * 32;
  std::vector<torch::Tensor> images, labels;
  for (const auto& path : paths) {
    Bytes bytes = read_file_bytes(path);
    const auto size = static_cast<std::int64_t>(bytes.size());
    if (size != records_per_file * record) {
      fail(path, "bad size: expected " + std::to_string(records_per_file) + " records of " + std::to_string(record) +
                     " bytes (" + std::to_string(records_per_file * record) + " bytes), got " + std::to_string(size) +
                     " bytes" + (size % record == 0 ? " (" + std::to_string(size / record) + " records)" : ""));
    }
    torch::Tensor records = to_tensor(bytes.data(), {size / record, record});
    torch::Tensor file_labels = records.select(1, label_bytes - 1).to(torch::kLong);
    check_labels(path, file_labels, classes);
    labels.push_back(file_labels);
    images.push_back(records.narrow(1, label_bytes, record - label_bytes).reshape({-1, 3, 32, 32}));
  }
  Dataset data;
  data.images = torch::cat(images).contiguous();
  data.labels = torch::cat(labels);
  data.num_classes = classes;
  return data;
}

TrainTestData load_cifar10(const std::string& dir) {
  std::vector<std::string> train;
  for (int i = 1; i <= 5; ++i) train.push_back(dir + "/data_batch_" + std::to_string(i) + ".bin");
  return {load_cifar_split(train, 10000, 1, 10), load_cifar_split({dir + "/test_batch.bin"}, 10000, 1, 10)};
}

// The datasets this file reads: name, shape, default folder, reader. A format is one reader
// and one line here.
struct DatasetReader {
  std::string name;
  DataShape shape;
  std::string default_path;
  std::function<TrainTestData(const std::string& dir)> load;
};

const std::vector<DatasetReader>& readers() {
  static const std::vector<DatasetReader> all = {
      {"fashion-mnist", {1, 28, 28, 10}, "/usr/share/datasets/fashion-mnist",
       [](const std::string& dir) { return TrainTestData{load_idx_split(dir, "train"), load_idx_split(dir, "t10k")}; }},
      {"cifar10", {3, 32, 32, 10}, "", load_cifar10},
      {"cifar100", {3, 32, 32, 100}, "",
       [](const std::string& dir) {
         return TrainTestData{load_cifar_split({dir + "/train.bin"}, 50000, 2, 100),
                              load_cifar_split({dir + "/test.bin"}, 10000, 2, 100)};
       }},
  };
  return all;
}

const DatasetReader& reader(const std::string& dataset) {
  for (const auto& r : readers())
    if (r.name == dataset) return r;
  throw DataError("data.dataset: unknown dataset '" + dataset + "' (expected fashion-mnist, cifar10 or cifar100)");
}

void keep_first(Dataset& data, std::int64_t n, const std::string& key, const std::string& dir) {
  if (n <= 0) return;
  if (n > data.size()) {
    fail(dir, key + " = " + std::to_string(n) + " but only " + std::to_string(data.size()) +
                  " samples are available");
  }
  // Clone so the dropped samples' memory is released.
  data.images = data.images.narrow(0, 0, n).clone();
  data.labels = data.labels.narrow(0, 0, n).clone();
}

// Per-channel mean and population std of pixels/255, from exact integer sums.
void set_statistics(Dataset& train) {
  const std::int64_t n = train.size(), channels = train.channels();
  const std::int64_t plane = train.images.size(2) * train.images.size(3);
  const std::uint8_t* pixels = train.images.contiguous().data_ptr<std::uint8_t>();
  train.mean.assign(channels, 0.0f);
  train.std.assign(channels, 0.0f);
  for (std::int64_t c = 0; c < channels; ++c) {
    std::int64_t sum = 0, sum_sq = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const std::uint8_t* p = pixels + (i * channels + c) * plane;
      for (std::int64_t j = 0; j < plane; ++j) {
        sum += p[j];
        sum_sq += std::int64_t{p[j]} * p[j];
      }
    }
    const double count = static_cast<double>(n * plane);
    const double mean = sum / count / 255.0;
    const double var = sum_sq / count / (255.0 * 255.0) - mean * mean;
    train.mean[c] = static_cast<float>(mean);
    train.std[c] = static_cast<float>(std::sqrt(std::max(var, 0.0)));
  }
}

}  // namespace

std::vector<std::string> dataset_names() {
  std::vector<std::string> names;
  for (const auto& r : readers()) names.push_back(r.name);
  return names;
}

DataShape dataset_shape(const std::string& dataset) { return reader(dataset).shape; }

std::string default_data_path(const std::string& dataset) { return reader(dataset).default_path; }

TrainTestData load_dataset(const DataSection& section) {
  std::string dir = section.path.empty() ? default_data_path(section.dataset) : section.path;
  if (dir.empty()) {
    throw DataError("data.path is empty and " + section.dataset +
                    " has no default location: set [data] path to the directory with its "
                    "binary files");
  }
  TrainTestData data = reader(section.dataset).load(dir);
  keep_first(data.train, section.train_subset, "data.train_subset", dir);
  keep_first(data.test, section.test_subset, "data.test_subset", dir);
  if (data.train.size() == 0) fail(dir, "the training set is empty");
  set_statistics(data.train);
  for (std::size_t c = 0; c < data.train.std.size(); ++c)
    if (data.train.std[c] == 0)
      fail(dir, "the training images are constant in channel " + std::to_string(c) +
                    " (standard deviation 0): normalising them would divide by zero; the files hold no real images");
  data.test.mean = data.train.mean;
  data.test.std = data.train.std;
  return data;
}

}  // namespace localsgd
