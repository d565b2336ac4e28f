// Defines how an algorithm saves a tensor it creates at its first step (an anchor, an error
// memory): written empty while it does not exist yet, and read back as undefined.
#pragma once

#include <torch/torch.h>

#include <string>

namespace localsgd {

inline void write_lazy_tensor(torch::serialize::OutputArchive& archive, const std::string& key, const torch::Tensor& t) {
  archive.write(key, t.defined() ? t : torch::empty({0}));
}

// The tensor saved under `key`, or an undefined one when it was saved before it existed.
inline torch::Tensor read_lazy_tensor(torch::serialize::InputArchive& archive, const std::string& key) {
  torch::Tensor t;
  archive.read(key, t);
  return t.numel() > 0 ? t : torch::Tensor();
}

}  // namespace localsgd
