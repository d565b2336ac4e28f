// Fuzz target: the CIFAR-10 and CIFAR-100 binary readers.
//
// Input: one mode byte, then the files separated by "\n@@FILE@@\n"; file i is part i modulo the
// number of parts (one part: every file the same). Mode bit 0: cifar10 (0) or cifar100 (1).
// Mode bit 1:
//   0  load_dataset() on data_batch_1..5.bin + test_batch.bin (CIFAR-10) or train.bin + test.bin
//      (CIFAR-100), as localsgd-train reads them. The reader wants the distribution's exact record
//      counts (10000 or 50000 per file, 30 MB and more), beyond any fuzz input, so this mode
//      reaches the file reading and size checks only.
//   1  the reader's record parser itself, load_cifar_split() of trainer/data/dataset.cpp (compiled
//      into this target, hence reachable), with 1 + (mode bits 2-3) records per file instead, on
//      the same files, then the training-set statistics (set_statistics()).
// See fuzz_dataset.h for what counts as a finding; in mode 1 the records loaded must also be
// exactly the files' records. If dataset.cpp's internals change, adapt load_split() and
// parse_small() below.
#include "data/dataset.cpp"  // NOLINT: the reader's internal functions, see above
#include "fuzz_dataset.h"

namespace {

// load_cifar_split(paths, records_per_file, label_bytes, classes), the reader that wants a fixed
// number of records per file; or, with a reader that takes any positive multiple of the record
// (load_cifar_split(paths, label_bytes, classes), before the fixed counts), that one.
template <class Paths>
auto load_split(const Paths& paths, std::int64_t per_file, std::int64_t label_bytes, std::int64_t classes,
                bool& fixed_count, int) -> decltype(localsgd::load_cifar_split(paths, per_file, label_bytes, classes)) {
  fixed_count = true;
  return localsgd::load_cifar_split(paths, per_file, label_bytes, classes);
}
template <class Paths>
auto load_split(const Paths& paths, std::int64_t, std::int64_t label_bytes, std::int64_t classes, bool& fixed_count,
                long) -> decltype(localsgd::load_cifar_split(paths, label_bytes, classes)) {
  fixed_count = false;
  return localsgd::load_cifar_split(paths, label_bytes, classes);
}

void parse_small(bool hundred, std::int64_t per_file, const std::vector<std::string>& paths) {
  const std::int64_t label_bytes = hundred ? 2 : 1, classes = hundred ? 100 : 10;
  const std::vector<std::string> train(paths.begin(), paths.end() - 1), test = {paths.back()};
  localsgd::TrainTestData data;
  bool fixed_count = false;
  try {
    data.train = load_split(train, per_file, label_bytes, classes, fixed_count, 0);
    data.test = load_split(test, per_file, label_bytes, classes, fixed_count, 0);
    localsgd::set_statistics(data.train);
  } catch (const localsgd::DataError& e) {
    if (std::string_view(e.what()).empty()) localsgd_fuzz::finding("DataError without a message");
    localsgd_fuzz::expected_error("DataError", e);
    return;
  } catch (const std::exception& e) {
    localsgd_fuzz::undocumented_exception("load_cifar_split", e);
  }
  if (localsgd_fuzz::verbose())
    std::fprintf(stderr, "==localsgd-fuzz== loaded %s records: %lld train, %lld test\n", hundred ? "cifar100" : "cifar10",
                 static_cast<long long>(data.train.size()), static_cast<long long>(data.test.size()));
  const localsgd::DataShape shape = localsgd::dataset_shape(hundred ? "cifar100" : "cifar10");
  if (fixed_count &&
      (data.train.size() != per_file * static_cast<std::int64_t>(train.size()) || data.test.size() != per_file))
    localsgd_fuzz::finding("load_cifar_split returned another number of records than it checked for");
  localsgd_fuzz::check_split(data.train, shape, "train");
  localsgd_fuzz::check_split(data.test, shape, "test", false);
  // Exactly the files: per record, its last label byte and the 3 x 32 x 32 pixels after the labels.
  const std::int64_t record = label_bytes + 3 * 32 * 32;
  auto expect_files = [&](const localsgd::Dataset& d, const std::vector<std::string>& files, const char* split) {
    std::string labels, pixels;
    for (const auto& path : files) {
      const std::string bytes = localsgd_fuzz::decompressed(path);
      for (std::size_t at = 0; at + record <= bytes.size(); at += record) {
        labels += bytes[at + label_bytes - 1];
        pixels.append(bytes, at + label_bytes, record - label_bytes);
      }
    }
    localsgd_fuzz::expect_bytes(d.labels, labels, std::string(split) + " labels");
    localsgd_fuzz::expect_bytes(d.images, pixels, std::string(split) + " images");
  };
  expect_files(data.train, train, "train");
  expect_files(data.test, test, "test");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  localsgd_fuzz::initialise_torch();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> cifar10 = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                                   "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};
  static const std::vector<std::string> cifar100 = {"train.bin", "test.bin"};
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const bool hundred = mode & 1;
  const auto parts = localsgd_fuzz::split(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1),
                                          localsgd_fuzz::kFileSeparator);
  const auto& files = hundred ? cifar100 : cifar10;
  if (mode & 2) {
    parse_small(hundred, 1 + ((mode >> 2) & 3), localsgd_fuzz::write_parts(files, parts));
  } else {
    localsgd_fuzz::load_from_parts(hundred ? "cifar100" : "cifar10", files, parts);
  }
  return 0;
}
