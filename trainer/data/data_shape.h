// Defines DataShape: what a model needs to know of its data to be built, without reading it:
// one sample's shape (channels x height x width for images) and the number of classes.
#pragma once

#include <cstdint>

namespace localsgd {

struct DataShape {
  std::int64_t channels = 0, height = 0, width = 0;
  std::int64_t num_classes = 0;
};

}  // namespace localsgd
