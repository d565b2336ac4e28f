// The dataset targets' common part: writes an input's parts as a dataset directory's files,
// loads it with load_dataset() (what localsgd-train calls), and checks what it returns.
// Expected: a TrainTestData, or DataError with a message. Findings: a crash or sanitizer report,
// any other exception (c10::Error included), and a loaded dataset that breaks its contract
// (shapes, dtypes, labels below num_classes, finite statistics in [0, 1]), or whose samples are
// not the files' bytes. That last check is the harness's own reading of the files: ASan sees only
// instrumented code, and the copies from the read bytes into tensors run inside LibTorch
// (uninstrumented), so a reader that lets LibTorch read past its buffer would go unnoticed by
// ASan (fuzz/README: the mutation check); comparing with the files catches it.
#pragma once

#include <torch/torch.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"
#include "fuzz_support.h"

namespace localsgd_fuzz {

inline void check_split(const localsgd::Dataset& d, const localsgd::DataShape& shape, const char* split,
                        bool with_statistics = true) {
  auto fail = [&](const std::string& what) { finding(std::string(split) + " split: " + what); };
  if (d.images.scalar_type() != torch::kUInt8 || d.images.dim() != 4) fail("images are not uint8 [N, C, H, W]");
  if (d.labels.scalar_type() != torch::kLong || d.labels.dim() != 1) fail("labels are not int64 [N]");
  if (d.images.size(0) != d.labels.size(0)) fail("image and label counts differ");
  if (d.images.size(1) != shape.channels || d.images.size(2) != shape.height || d.images.size(3) != shape.width)
    fail("image shape differs from dataset_shape()");
  if (d.num_classes != shape.num_classes) fail("num_classes differs from dataset_shape()");
  if (d.labels.numel() > 0 && (d.labels.min().item<std::int64_t>() < 0 ||
                               d.labels.max().item<std::int64_t>() >= d.num_classes))
    fail("a label outside [0, num_classes)");
  if (!with_statistics) return;
  if (d.mean.size() != static_cast<std::size_t>(shape.channels) || d.std.size() != d.mean.size())
    fail("mean/std do not have one value per channel");
  for (std::size_t c = 0; c < d.mean.size(); ++c)
    if (!std::isfinite(d.mean[c]) || !std::isfinite(d.std[c]) || d.mean[c] < 0 || d.mean[c] > 1 || d.std[c] < 0)
      fail("mean/std not finite or outside [0, 1]");
}

// Writes parts[i % parts.size()] to files[i] in the scratch directory; returns their paths.
inline std::vector<std::string> write_parts(const std::vector<std::string>& files,
                                            const std::vector<std::string_view>& parts) {
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < files.size(); ++i) {
    paths.push_back(scratch_dir() + "/" + files[i]);
    write_file(paths.back(), parts[i % parts.size()]);
  }
  return paths;
}

// A file's bytes as the readers see them: gzip decompressed, other files as they are (zlib's
// transparent mode), independently of trainer/data/dataset.cpp.
inline std::string decompressed(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) finding("cannot reopen " + path);
  std::string bytes;
  char chunk[4096];
  int got;
  while ((got = gzread(file, chunk, sizeof chunk)) > 0) bytes.append(chunk, static_cast<std::size_t>(got));
  gzclose(file);
  return bytes;
}

// `tensor` (uint8 or int64, any shape) holds exactly `expected`, byte for byte (int64: value for byte).
inline void expect_bytes(const torch::Tensor& tensor, std::string_view expected, const std::string& what) {
  const torch::Tensor flat = tensor.to(torch::kUInt8).contiguous().reshape({-1});
  if (static_cast<std::size_t>(flat.numel()) != expected.size() ||
      (flat.numel() > 0 && std::memcmp(flat.data_ptr<std::uint8_t>(), expected.data(), expected.size()) != 0))
    finding(what + " differ from the file's bytes (" + std::to_string(flat.numel()) + " values for " +
            std::to_string(expected.size()) + " bytes)");
}

// Writes the parts as `files` and loads `dataset` from the scratch directory with load_dataset();
// nothing when it (rightly) refused them.
inline std::optional<localsgd::TrainTestData> load_from_parts(const std::string& dataset, const std::vector<std::string>& files,
                            const std::vector<std::string_view>& parts) {
  write_parts(files, parts);
  localsgd::DataSection section;
  section.dataset = dataset;
  section.path = scratch_dir();
  localsgd::TrainTestData data;
  try {
    data = localsgd::load_dataset(section);
  } catch (const localsgd::DataError& e) {
    if (std::string_view(e.what()).empty()) finding("DataError without a message");
    expected_error("DataError", e);
    return std::nullopt;
  } catch (const std::exception& e) {
    undocumented_exception("load_dataset", e);
  }
  if (verbose()) std::fprintf(stderr, "==localsgd-fuzz== loaded %s: %lld train, %lld test samples\n", dataset.c_str(),
                              static_cast<long long>(data.train.size()), static_cast<long long>(data.test.size()));
  const localsgd::DataShape shape = localsgd::dataset_shape(dataset);
  if (data.train.size() == 0) finding("an empty training set loaded");
  check_split(data.train, shape, "train");
  check_split(data.test, shape, "test");
  return data;
}

inline void initialise_torch() { torch::set_num_threads(1); }

}  // namespace localsgd_fuzz
