// Fuzz target: the Fashion-MNIST reader (IDX images and labels, gzip or plain) through
// load_dataset(). Input: up to four files separated by "\n@@FILE@@\n", in the order
// train-images, train-labels, t10k-images, t10k-labels; file i is part i modulo the number of
// parts (two parts: the same images and labels for both splits). See fuzz_dataset.h for what
// counts as a finding; a loaded split must also be exactly its files: a 16-byte header and
// N x 28 x 28 pixels, an 8-byte header and N labels, the same N.
#include "fuzz_dataset.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  localsgd_fuzz::initialise_torch();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> files = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto loaded = localsgd_fuzz::load_from_parts("fashion-mnist", files,
                                                     localsgd_fuzz::split(input, localsgd_fuzz::kFileSeparator));
  if (!loaded) return 0;
  const localsgd::Dataset* splits[] = {&loaded->train, &loaded->test};
  for (int s = 0; s < 2; ++s) {
    const std::string images = localsgd_fuzz::decompressed(localsgd_fuzz::scratch_dir() + "/" + files[2 * s]);
    const std::string labels = localsgd_fuzz::decompressed(localsgd_fuzz::scratch_dir() + "/" + files[2 * s + 1]);
    const std::string name = std::string(s == 0 ? "train" : "test") + " split: ";
    if (images.size() < 16 || labels.size() < 8) localsgd_fuzz::finding(name + "loaded from files shorter than their headers");
    localsgd_fuzz::expect_bytes(splits[s]->images, std::string_view(images).substr(16), name + "images");
    localsgd_fuzz::expect_bytes(splits[s]->labels, std::string_view(labels).substr(8), name + "labels");
  }
  return 0;
}
