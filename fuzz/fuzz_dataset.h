// The dataset targets' common part: writes an input's parts as a dataset directory's files,
// loads it with load_dataset() (what localsgd-train calls), and checks what it returns.
// Expected: a TrainTestData, or DataError with a message. Findings: a crash or sanitizer report,
// any other exception (c10::Error included), and a loaded dataset that breaks its contract
// (shapes, dtypes, labels below num_classes, finite statistics in [0, 1]).
#pragma once

#include <torch/torch.h>

#include <cmath>
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

// Writes the parts as `files` and loads `dataset` from the scratch directory with load_dataset().
inline void load_from_parts(const std::string& dataset, const std::vector<std::string>& files,
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
    return;
  } catch (const std::exception& e) {
    undocumented_exception("load_dataset", e);
  }
  if (verbose()) std::fprintf(stderr, "==localsgd-fuzz== loaded %s: %lld train, %lld test samples\n", dataset.c_str(),
                              static_cast<long long>(data.train.size()), static_cast<long long>(data.test.size()));
  const localsgd::DataShape shape = localsgd::dataset_shape(dataset);
  if (data.train.size() == 0) finding("an empty training set loaded");
  check_split(data.train, shape, "train");
  check_split(data.test, shape, "test");
}

inline void initialise_torch() { torch::set_num_threads(1); }

}  // namespace localsgd_fuzz
