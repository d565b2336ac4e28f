// Tests the LIBSVM reader and the binary LIBSVM dataset on files the test writes: the dense
// features and classes against the file's text read by hand, and every kind of bad input
// (malformed, truncated, wrong labels, empty, missing split) with the file and line it names.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.h"
#include "data/data_kinds.h"
#include "data/dataset.h"
#include "data/feature_source.h"
#include "data/libsvm.h"

namespace localsgd {
namespace {

using ::testing::HasSubstr;

std::string scratch(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "localsgd_libsvm_test";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::string write(const std::string& name, const std::string& text) {
  const std::string path = scratch(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The DataError message of reading `text` as a LIBSVM file, after its path ("" if it reads).
std::string read_error(const std::string& text) {
  const std::string path = write("bad", text);
  try {
    read_libsvm(path);
  } catch (const DataError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
    return message.substr(path.size() + 2);
  }
  return "";
}

TEST(LibsvmTest, ReadsSparseSamplesAsTheTextSays) {
  // "+1" labels, a comment, a blank line, CRLF, a sample with no features, a last line without newline.
  const std::string path = write("good", "+1 1:0.5 3:-2\r\n# a comment line\n\n-1 2:4 # trailing comment\n-1\n+1 3:1e-1 5:0");
  const SparseSamples s = read_libsvm(path);
  ASSERT_EQ(s.size(), 4);
  EXPECT_EQ(s.labels, (std::vector<double>{1, -1, -1, 1}));
  EXPECT_EQ(s.dimension, 5);  // index 5 is written (as 0): the dimension counts it
  const auto dense = dense_features(s, 6);
  const auto expected = torch::tensor({0.5f, 0.f, -2.f, 0.f, 0.f, 0.f,   //
                                       0.f, 4.f, 0.f, 0.f, 0.f, 0.f,     //
                                       0.f, 0.f, 0.f, 0.f, 0.f, 0.f,     //
                                       0.f, 0.f, 0.1f, 0.f, 0.f, 0.f}).reshape({4, 6});
  EXPECT_TRUE(torch::equal(dense, expected)) << dense;
}

TEST(LibsvmTest, ReadsGzipFiles) {
  const std::string path = scratch("good.gz");
  gzFile file = gzopen(path.c_str(), "wb");
  const std::string text = "1 2:3\n0 1:1\n";
  gzwrite(file, text.data(), text.size());
  gzclose(file);
  const SparseSamples s = read_libsvm(path);
  EXPECT_EQ(s.labels, (std::vector<double>{1, 0}));
  EXPECT_TRUE(torch::equal(dense_features(s, 2), torch::tensor({0.f, 3.f, 1.f, 0.f}).reshape({2, 2})));
}

TEST(LibsvmTest, MalformedLinesNameTheirLineAndWhatWasExpected) {
  EXPECT_THAT(read_error("1 1:2\n1 3\n"), HasSubstr("line 2: expected <index>:<value>, got '3'"));
  EXPECT_THAT(read_error("1 0:2\n"), HasSubstr("line 1: expected a feature index >= 1"));
  EXPECT_THAT(read_error("1 x:2\n"), HasSubstr("line 1: expected a feature index >= 1 before ':', got 'x:2'"));
  EXPECT_THAT(read_error("1 1:1\n\n1 4:1 2:1\n"), HasSubstr("line 3: feature indices must be strictly ascending: 2 after 4"));
  EXPECT_THAT(read_error("1 2:1 2:1\n"), HasSubstr("line 1: feature indices must be strictly ascending: 2 after 2"));
  EXPECT_THAT(read_error("1 1:abc\n"), HasSubstr("line 1: expected a finite number after '1:', got 'abc'"));
  EXPECT_THAT(read_error("1 1:nan\n"), HasSubstr("line 1: expected a finite number"));
  EXPECT_THAT(read_error("yes 1:1\n"), HasSubstr("line 1: expected a label (a finite number) first, got 'yes'"));
  EXPECT_THAT(read_error("1 qid:3 1:1\n"), HasSubstr("line 1: qid (svmlight ranking groups) is not supported"));
  // A download cut off in the middle of a line.
  EXPECT_THAT(read_error("1 1:0.5 2:1\n-1 1:0.25 2:"), HasSubstr("line 2: expected a finite number after '2:', got ''"));
  EXPECT_THAT(read_error(""), HasSubstr("no samples (an empty LIBSVM file)"));
  EXPECT_THAT(read_error("# only a comment\n\n"), HasSubstr("no samples"));
  EXPECT_EQ(read_error("1 1:1\n"), "");
}

TEST(LibsvmTest, AMissingFileIsNamed) {
  const std::string path = scratch("absent");
  std::filesystem::remove(path);
  try {
    read_libsvm(path);
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path + ": cannot open"));
  }
}

DataSection libsvm_section(const std::string& path) {
  DataSection data;
  data.dataset = "libsvm";
  data.path = path;
  return data;
}

std::string load_error(const DataSection& data) {
  try {
    load_sources(data);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

TEST(LibsvmTest, BinaryDatasetMapsTheSmallerLabelToClassZero) {
  const std::string train = write("pair", "-1 1:1\n+1 2:2\n+1 1:3\n");
  write("pair.t", "+1 4:1\n-1 1:5\n");  // the test split uses a feature the training split does not
  const TrainTestSources sources = load_sources(libsvm_section(train));
  const auto& tr = dynamic_cast<const InMemoryFeatures&>(*sources.train);
  const auto& te = dynamic_cast<const InMemoryFeatures&>(*sources.test);
  EXPECT_TRUE(torch::equal(tr.labels(), torch::tensor({0, 1, 1}, torch::kLong)));
  EXPECT_TRUE(torch::equal(te.labels(), torch::tensor({1, 0}, torch::kLong)));
  EXPECT_EQ(tr.shape().channels, 4);  // the larger dimension of the two files
  EXPECT_EQ(te.shape().channels, 4);
  EXPECT_EQ(tr.shape().num_classes, 2);
  EXPECT_TRUE(torch::equal(tr.features(), torch::tensor({1.f, 0.f, 0.f, 0.f, 0.f, 2.f, 0.f, 0.f, 3.f, 0.f, 0.f, 0.f}).reshape({3, 4})));
  EXPECT_EQ(data_shape(libsvm_section(train)).channels, 4);  // read from the files
  auto unused = at::make_generator<at::CPUGeneratorImpl>(0);
  const Batch batch = sources.train->batch(torch::tensor({2, 0}, torch::kLong), true, unused);
  EXPECT_TRUE(torch::equal(batch.inputs, torch::tensor({3.f, 0.f, 0.f, 0.f, 1.f, 0.f, 0.f, 0.f}).reshape({2, 4})));
  EXPECT_TRUE(torch::equal(batch.targets, torch::tensor({1, 0}, torch::kLong)));
  // Subsets keep the first samples.
  DataSection subset = libsvm_section(train);
  subset.train_subset = 2;
  subset.test_subset = 1;
  const TrainTestSources kept = load_sources(subset);
  EXPECT_EQ(kept.train->size(), 2);
  EXPECT_EQ(kept.test->size(), 1);
  subset.train_subset = 4;
  EXPECT_THAT(load_error(subset), HasSubstr("data.train_subset = 4 but only 3 samples are available"));
}

TEST(LibsvmTest, BadBinaryDatasetsAreRefusedNamingTheFile) {
  const std::string three = write("three", "0 1:1\n1 1:2\n2 1:3\n");
  write("three.t", "0 1:1\n");
  EXPECT_THAT(load_error(libsvm_section(three)), HasSubstr(three + ": expected binary labels (exactly two values), got 3"));
  const std::string one = write("one", "1 1:1\n1 1:2\n");
  write("one.t", "1 1:1\n");
  EXPECT_THAT(load_error(libsvm_section(one)), HasSubstr("got 1 (every sample has label 1)"));
  const std::string stray = write("stray", "-1 1:1\n1 1:2\n");
  write("stray.t", "1 1:1\n0 1:1\n");
  EXPECT_THAT(load_error(libsvm_section(stray)), HasSubstr(stray + ".t: sample 2 has label 0, not one of the training labels -1 and 1"));
  const std::string alone = write("alone", "-1 1:1\n1 1:2\n");
  std::filesystem::remove(alone + ".t");
  EXPECT_THAT(load_error(libsvm_section(alone)), HasSubstr(alone + ".t: cannot open"));
  EXPECT_THAT(load_error(libsvm_section("")), HasSubstr("data.path is empty"));
}

}  // namespace
}  // namespace localsgd
