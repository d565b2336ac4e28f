// Implements make_batch: gathers uint8 samples by index, optionally applies the random
// pad-4 crop and horizontal flip, and normalises per channel, in one pass over the pixels.
#include "data/augment.h"

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

namespace localsgd {

Batch make_batch(const Dataset& data, const torch::Tensor& indices, bool augment,
                 at::Generator& generator) {
  const std::int64_t channels = data.channels();
  if (static_cast<std::int64_t>(data.mean.size()) != channels ||
      static_cast<std::int64_t>(data.std.size()) != channels) {
    throw std::invalid_argument("make_batch: dataset mean/std must have one entry per channel (" +
                                std::to_string(channels) + ")");
  }
  const torch::Tensor index = indices.to(torch::kLong).reshape({-1});
  const torch::Tensor images = data.images.index_select(0, index).contiguous();
  Batch batch;
  batch.targets = data.labels.index_select(0, index);

  const std::int64_t b = images.size(0), h = images.size(2), w = images.size(3);
  // Per sample: crop offset (y, x) into the image zero-padded by 4, and flip. Without
  // augmentation the offset 4 with no flip is the identity.
  std::vector<std::int64_t> offset_y(b, 4), offset_x(b, 4), flip(b, 0);
  if (augment && b > 0) {
    const torch::Tensor offsets = torch::randint(0, 9, {b, 2}, generator, torch::kLong);
    const torch::Tensor flips = torch::randint(0, 2, {b}, generator, torch::kLong);
    const auto offset = offsets.accessor<std::int64_t, 2>();
    const auto flipped = flips.accessor<std::int64_t, 1>();
    for (std::int64_t i = 0; i < b; ++i) {
      offset_y[i] = offset[i][0];
      offset_x[i] = offset[i][1];
      flip[i] = flipped[i];
    }
  }

  // (v / 255 - mean) / std for every byte value, per channel; padding is byte value 0.
  std::vector<std::array<float, 256>> table(channels);
  for (std::int64_t c = 0; c < channels; ++c) {
    for (int v = 0; v < 256; ++v) table[c][v] = static_cast<float>((v / 255.0 - data.mean[c]) / data.std[c]);
  }

  batch.inputs = torch::empty({b, channels, h, w}, torch::kFloat);
  const std::uint8_t* src = images.data_ptr<std::uint8_t>();
  float* dst = batch.inputs.data_ptr<float>();
  for (std::int64_t i = 0; i < b; ++i) {
    for (std::int64_t c = 0; c < channels; ++c) {
      const std::uint8_t* plane = src + (i * channels + c) * h * w;
      const auto& lut = table[c];
      for (std::int64_t y = 0; y < h; ++y) {
        const std::int64_t sy = y + offset_y[i] - 4;  // row in the unpadded image
        for (std::int64_t x = 0; x < w; ++x, ++dst) {
          const std::int64_t sx = (flip[i] ? w - 1 - x : x) + offset_x[i] - 4;
          const bool inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
          *dst = lut[inside ? plane[sy * w + sx] : 0];
        }
      }
    }
  }
  // Tests run float64 reference trainings by changing the default dtype; models follow it.
  const auto dtype = torch::typeMetaToScalarType(torch::get_default_dtype());
  if (dtype != torch::kFloat) batch.inputs = batch.inputs.to(dtype);
  return batch;
}

}  // namespace localsgd
