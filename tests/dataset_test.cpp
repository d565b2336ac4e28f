// Tests load_dataset: synthetic Fashion-MNIST (gzip IDX) and CIFAR-10/100 binary files in a
// temporary directory, the error for each kind of damaged file, and the real Fashion-MNIST.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace localsgd {
namespace {

using Bytes = std::vector<std::uint8_t>;
using ::testing::HasSubstr;

void put_u32(Bytes& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(value >> shift));
}

void write_gzip(const std::string& path, const Bytes& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr) << path;
  if (!bytes.empty()) ASSERT_EQ(gzwrite(file, bytes.data(), bytes.size()), static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

void write_raw(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

std::uint8_t pixel(int split, int i, int p) {
  return static_cast<std::uint8_t>((split * 31 + i * 7 + p * 3) % 256);
}

Bytes idx_images(int split, int count, std::uint32_t magic = 0x00000803) {
  Bytes bytes;
  for (std::uint32_t v : {magic, std::uint32_t(count), 28u, 28u}) put_u32(bytes, v);
  for (int i = 0; i < count; ++i)
    for (int p = 0; p < 784; ++p) bytes.push_back(pixel(split, i, p));
  return bytes;
}

std::uint8_t label(int split, int i) { return static_cast<std::uint8_t>((split + 3 * i) % 10); }

Bytes idx_labels(int split, int count) {
  Bytes bytes;
  put_u32(bytes, 0x00000801);
  put_u32(bytes, count);
  for (int i = 0; i < count; ++i) bytes.push_back(label(split, i));
  return bytes;
}

class DatasetFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/localsgd_dataset_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string batch_path(int i) const { return path("data_batch_" + std::to_string(i) + ".bin"); }

  // A valid Fashion-MNIST-like directory: 5 training and 3 test images.
  void write_fashion() {
    write_gzip(path("train-images-idx3-ubyte.gz"), idx_images(0, 5));
    write_gzip(path("train-labels-idx1-ubyte.gz"), idx_labels(0, 5));
    write_gzip(path("t10k-images-idx3-ubyte.gz"), idx_images(1, 3));
    write_gzip(path("t10k-labels-idx1-ubyte.gz"), idx_labels(1, 3));
  }

  DataSection section(const std::string& dataset = "fashion-mnist") const {
    DataSection data;
    data.dataset = dataset;
    data.path = dir_;
    return data;
  }

  // The message of the DataError load_dataset throws ("" if it does not throw).
  std::string error_of(const DataSection& data) const {
    try {
      load_dataset(data);
    } catch (const DataError& e) {
      return e.what();
    }
    return "";
  }

  std::string dir_;
};

TEST_F(DatasetFiles, FashionShapesValuesAndLabels) {
  write_fashion();
  TrainTestData data = load_dataset(section());
  ASSERT_EQ(data.train.images.sizes(), (std::vector<std::int64_t>{5, 1, 28, 28}));
  ASSERT_EQ(data.test.images.sizes(), (std::vector<std::int64_t>{3, 1, 28, 28}));
  EXPECT_EQ(data.train.images.dtype(), torch::kUInt8);
  EXPECT_EQ(data.train.labels.dtype(), torch::kLong);
  EXPECT_EQ(data.train.num_classes, 10);
  EXPECT_EQ(data.test.num_classes, 10);
  for (int split = 0; split < 2; ++split) {
    const Dataset& d = split == 0 ? data.train : data.test;
    auto images = d.images.accessor<std::uint8_t, 4>();
    for (int i = 0; i < d.size(); ++i) {
      EXPECT_EQ(d.labels[i].item<std::int64_t>(), label(split, i));
      for (int p = 0; p < 784; p += 13) EXPECT_EQ(images[i][0][p / 28][p % 28], pixel(split, i, p));
    }
  }
}

TEST_F(DatasetFiles, MeanAndStdFromTrainingSubset) {
  write_fashion();
  DataSection config = section();
  config.train_subset = 2;
  config.test_subset = 1;
  TrainTestData data = load_dataset(config);
  EXPECT_EQ(data.train.size(), 2);
  EXPECT_EQ(data.test.size(), 1);
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < 2; ++i)
    for (int p = 0; p < 784; ++p) {
      double v = pixel(0, i, p) / 255.0;
      sum += v;
      sum_sq += v * v;
    }
  const double mean = sum / 1568, std = std::sqrt(sum_sq / 1568 - mean * mean);
  ASSERT_EQ(data.train.mean.size(), 1u);
  EXPECT_NEAR(data.train.mean[0], mean, 1e-6);
  EXPECT_NEAR(data.train.std[0], std, 1e-6);
  EXPECT_EQ(data.test.mean, data.train.mean);
  EXPECT_EQ(data.test.std, data.train.std);
}

TEST_F(DatasetFiles, SubsetLargerThanDataFails) {
  write_fashion();
  DataSection config = section();
  config.train_subset = 6;
  EXPECT_THAT(error_of(config), HasSubstr("data.train_subset"));
}

TEST_F(DatasetFiles, MissingFile) {
  write_fashion();
  std::filesystem::remove(path("t10k-labels-idx1-ubyte.gz"));
  std::string message = error_of(section());
  EXPECT_THAT(message, HasSubstr(path("t10k-labels-idx1-ubyte.gz") + ": cannot open"));
  EXPECT_THAT(message, HasSubstr("No such file"));
}

TEST_F(DatasetFiles, WrongMagic) {
  write_fashion();
  write_gzip(path("train-images-idx3-ubyte.gz"), idx_images(0, 5, 0x00000801));
  std::string message = error_of(section());
  EXPECT_THAT(message, HasSubstr(path("train-images-idx3-ubyte.gz") + ": bad magic"));
  EXPECT_THAT(message, HasSubstr("expected 0x00000803, got 0x00000801"));
}

TEST_F(DatasetFiles, TruncatedImages) {
  write_fashion();
  Bytes images = idx_images(0, 5);
  images.resize(1000);
  write_gzip(path("train-images-idx3-ubyte.gz"), images);
  EXPECT_THAT(error_of(section()), HasSubstr(path("train-images-idx3-ubyte.gz") +
                                              ": truncated: expected 3936 bytes after "
                                              "decompression, got 1000"));
}

TEST_F(DatasetFiles, TrailingData) {
  write_fashion();
  Bytes labels = idx_labels(1, 3);
  labels.push_back(0);
  write_gzip(path("t10k-labels-idx1-ubyte.gz"), labels);
  EXPECT_THAT(error_of(section()),
              HasSubstr(path("t10k-labels-idx1-ubyte.gz") + ": trailing data: expected 11 bytes"));
}

TEST_F(DatasetFiles, LabelImageCountMismatch) {
  write_fashion();
  write_gzip(path("train-labels-idx1-ubyte.gz"), idx_labels(0, 4));
  std::string message = error_of(section());
  EXPECT_THAT(message, HasSubstr(path("train-labels-idx1-ubyte.gz") + ": label count"));
  EXPECT_THAT(message, HasSubstr("expected 5"));
  EXPECT_THAT(message, HasSubstr("got 4"));
}

TEST_F(DatasetFiles, LabelOutOfRange) {
  write_fashion();
  Bytes labels = idx_labels(0, 5);
  labels.back() = 10;
  write_gzip(path("train-labels-idx1-ubyte.gz"), labels);
  EXPECT_THAT(error_of(section()), HasSubstr(path("train-labels-idx1-ubyte.gz") + ": label out of range"));
}

// A CIFAR record whose R, G, B planes hold distinct patterns.
std::uint8_t cifar_pixel(int record, int c, int y, int x) {
  return static_cast<std::uint8_t>(record * 11 + c * 85 + y * 5 + x);
}

Bytes cifar_records(int first, int count, int label_bytes) {
  Bytes bytes;
  for (int r = first; r < first + count; ++r) {
    if (label_bytes == 2) bytes.push_back(static_cast<std::uint8_t>(r % 20));  // coarse
    bytes.push_back(static_cast<std::uint8_t>(label_bytes == 2 ? (40 + r) % 100 : r % 10));
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) bytes.push_back(cifar_pixel(r, c, y, x));
  }
  return bytes;
}

void expect_cifar_images(const Dataset& d) {
  auto images = d.images.accessor<std::uint8_t, 4>();
  for (int r = 0; r < d.size(); r += 97)
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 32; y += 7)
        for (int x = 0; x < 32; x += 3) ASSERT_EQ(images[r][c][y][x], cifar_pixel(r, c, y, x));
}

// The distribution's files hold 10,000 records each (CIFAR-100: 50,000 and 10,000).
constexpr int kCifarBatch = 10000;

TEST_F(DatasetFiles, Cifar10PlaneOrderAndLabels) {
  for (int i = 1; i <= 5; ++i) write_raw(batch_path(i), cifar_records(kCifarBatch * (i - 1), kCifarBatch, 1));
  write_raw(path("test_batch.bin"), cifar_records(0, kCifarBatch, 1));
  TrainTestData data = load_dataset(section("cifar10"));
  ASSERT_EQ(data.train.images.sizes(), (std::vector<std::int64_t>{5 * kCifarBatch, 3, 32, 32}));
  ASSERT_EQ(data.test.images.sizes(), (std::vector<std::int64_t>{kCifarBatch, 3, 32, 32}));
  EXPECT_EQ(data.train.num_classes, 10);
  const ImageShape shape = image_shape("cifar10");
  EXPECT_EQ((std::vector<std::int64_t>{shape.channels, shape.height, shape.width}),
            data.train.images.sizes().slice(1).vec());
  EXPECT_EQ(shape.num_classes, 10);
  EXPECT_EQ(image_shape("cifar100").num_classes, 100);
  EXPECT_THROW(image_shape("imagenet"), DataError);
  expect_cifar_images(data.train);
  expect_cifar_images(data.test);
  for (int r = 0; r < 10; ++r) EXPECT_EQ(data.train.labels[r].item<std::int64_t>(), r % 10);
  EXPECT_EQ(data.train.mean.size(), 3u);
  EXPECT_EQ(data.test.std, data.train.std);
}

TEST_F(DatasetFiles, Cifar100UsesFineLabel) {
  write_raw(path("train.bin"), cifar_records(0, 5 * kCifarBatch, 2));
  write_raw(path("test.bin"), cifar_records(0, kCifarBatch, 2));
  TrainTestData data = load_dataset(section("cifar100"));
  EXPECT_EQ(data.train.num_classes, 100);
  ASSERT_EQ(data.train.size(), 5 * kCifarBatch);
  for (int r = 0; r < 4; ++r) EXPECT_EQ(data.train.labels[r].item<std::int64_t>(), 40 + r);
  expect_cifar_images(data.train);
}

TEST_F(DatasetFiles, CifarBadSize) {
  const Bytes batch = cifar_records(0, kCifarBatch, 1);
  for (int i = 1; i <= 5; ++i) write_raw(batch_path(i), batch);
  write_raw(path("test_batch.bin"), batch);
  Bytes bad = batch;
  bad.resize(bad.size() + 5);
  write_raw(path("data_batch_3.bin"), bad);
  EXPECT_EQ(error_of(section("cifar10")),
            path("data_batch_3.bin") + ": bad size: expected 10000 records of 3073 bytes (30730000 bytes), got 30730005 bytes");
  // A truncated download: whole records, but half of them.
  write_raw(path("data_batch_3.bin"), cifar_records(0, kCifarBatch / 2, 1));
  EXPECT_EQ(error_of(section("cifar10")), path("data_batch_3.bin") +
                                              ": bad size: expected 10000 records of 3073 bytes (30730000 bytes), got "
                                              "15365000 bytes (5000 records)");
}

TEST(DatasetPaths, CifarNeedsExplicitPath) {
  EXPECT_EQ(default_data_path("fashion-mnist"), "/usr/share/datasets/fashion-mnist");
  EXPECT_EQ(default_data_path("cifar10"), "");
  DataSection data;
  data.dataset = "cifar100";
  try {
    load_dataset(data);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("data.path"));
  }
}

TEST(DatasetFashionMnist, RealFiles) {
  DataSection config;  // fashion-mnist at its default path
  TrainTestData data = load_dataset(config);
  ASSERT_EQ(data.train.images.sizes(), (std::vector<std::int64_t>{60000, 1, 28, 28}));
  ASSERT_EQ(data.test.images.sizes(), (std::vector<std::int64_t>{10000, 1, 28, 28}));
  EXPECT_EQ(data.train.num_classes, 10);
  const ImageShape shape = image_shape("fashion-mnist");  // what benchmarks assume unread
  EXPECT_EQ((std::vector<std::int64_t>{shape.channels, shape.height, shape.width}),
            data.train.images.sizes().slice(1).vec());
  EXPECT_EQ(shape.num_classes, data.train.num_classes);
  torch::Tensor histogram = torch::bincount(data.train.labels, {}, 10);
  EXPECT_TRUE(histogram.equal(torch::full({10}, 6000, torch::kLong))) << histogram;
  const double mean = data.train.images.sum(torch::kLong).item<std::int64_t>() / (60000.0 * 784 * 255);
  EXPECT_NEAR(data.train.mean[0], mean, 1e-6);
  EXPECT_GE(mean, 0.27);
  EXPECT_LE(mean, 0.30);
  EXPECT_GT(data.train.std[0], 0.3);
  EXPECT_LT(data.train.std[0], 0.4);
}

}  // namespace
}  // namespace localsgd
