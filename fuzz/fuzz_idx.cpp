// Fuzz target: the Fashion-MNIST reader (IDX images and labels, gzip or plain) through
// load_dataset(). Input: up to four files separated by "\n@@FILE@@\n", in the order
// train-images, train-labels, t10k-images, t10k-labels; file i is part i modulo the number of
// parts (two parts: the same images and labels for both splits). See fuzz_dataset.h for what
// counts as a finding.
#include "fuzz_dataset.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  localsgd_fuzz::initialise_torch();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> files = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  localsgd_fuzz::load_from_parts("fashion-mnist", files, localsgd_fuzz::split(input, localsgd_fuzz::kFileSeparator));
  return 0;
}
