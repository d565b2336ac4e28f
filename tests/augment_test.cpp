// Tests make_batch: exact normalisation without augmentation; with augmentation every
// sample is a flipped-or-not 28x28 window of the zero-padded image, drawn deterministically.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <set>
#include <utility>

#include "data/augment.h"

namespace localsgd {
namespace {

Dataset random_dataset(std::int64_t n, std::int64_t channels, std::int64_t size, std::uint64_t seed) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  Dataset data;
  // Values 1..255 so that padding (0) is distinguishable from image content.
  data.images = torch::randint(1, 256, {n, channels, size, size}, gen, torch::kLong).to(torch::kUInt8);
  data.labels = torch::randint(0, 10, {n}, gen, torch::kLong);
  data.num_classes = 10;
  for (std::int64_t c = 0; c < channels; ++c) {
    data.mean.push_back(0.2f + 0.1f * c);
    data.std.push_back(0.3f + 0.05f * c);
  }
  return data;
}

TEST(AugmentBatch, PlainNormalisation) {
  Dataset data = random_dataset(20, 3, 32, 1);
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(5);
  torch::Tensor indices = torch::tensor({4, 0, 19, 4}, torch::kLong);
  Batch batch = make_batch(data, indices, false, gen);
  ASSERT_EQ(batch.inputs.sizes(), (std::vector<std::int64_t>{4, 3, 32, 32}));
  EXPECT_EQ(batch.inputs.dtype(), torch::kFloat);
  EXPECT_TRUE(batch.inputs.is_contiguous());
  EXPECT_TRUE(batch.targets.equal(data.labels.index_select(0, indices)));
  auto out = batch.inputs.accessor<float, 4>();
  auto images = data.images.accessor<std::uint8_t, 4>();
  const std::int64_t picked[] = {4, 0, 19, 4};
  for (int i = 0; i < 4; ++i)
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
          double expected = (images[picked[i]][c][y][x] / 255.0 - data.mean[c]) / data.std[c];
          ASSERT_NEAR(out[i][c][y][x], expected, 1e-5);
        }
}

// The (offset_y, offset_x, flip) for which sample equals a window of the zero-padded image;
// (-1, -1, -1) if none does.
std::tuple<int, int, int> find_window(const torch::Tensor& image, const torch::Tensor& sample) {
  const std::int64_t h = image.size(1), w = image.size(2);
  torch::Tensor padded = torch::constant_pad_nd(image, {4, 4, 4, 4}, 0);
  for (int oy = 0; oy <= 8; ++oy)
    for (int ox = 0; ox <= 8; ++ox)
      for (int flip = 0; flip < 2; ++flip) {
        torch::Tensor window = padded.narrow(1, oy, h).narrow(2, ox, w);
        if (flip) window = window.flip({2});
        if (window.equal(sample)) return {oy, ox, flip};
      }
  return {-1, -1, -1};
}

void check_windows(std::int64_t channels, std::int64_t size) {
  Dataset data = random_dataset(50, channels, size, 2);
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(9);
  std::set<std::pair<int, int>> offsets;
  std::set<int> flips;
  for (int round = 0; round < 4; ++round) {
    torch::Tensor indices = torch::randperm(50, gen, torch::kLong);
    Batch batch = make_batch(data, indices, true, gen);
    ASSERT_EQ(batch.inputs.sizes(), (std::vector<std::int64_t>{50, channels, size, size}));
    EXPECT_TRUE(batch.targets.equal(data.labels.index_select(0, indices)));
    torch::Tensor mean = torch::tensor(data.mean).view({channels, 1, 1});
    torch::Tensor std = torch::tensor(data.std).view({channels, 1, 1});
    for (int i = 0; i < 50; ++i) {
      // Undo the normalisation and round back to bytes.
      torch::Tensor pixels = ((batch.inputs[i] * std + mean) * 255).round().to(torch::kUInt8);
      auto [oy, ox, flip] = find_window(data.images[indices[i].item<std::int64_t>()], pixels);
      ASSERT_GE(oy, 0) << "sample " << i << " is no window of its padded image";
      offsets.insert({oy, ox});
      flips.insert(flip);
    }
  }
  EXPECT_EQ(flips.size(), 2u);
  EXPECT_GE(offsets.size(), 30u);  // 200 draws over 81 offsets
}

TEST(AugmentBatch, CropsAreWindowsOfPaddedImageGray) { check_windows(1, 28); }
TEST(AugmentBatch, CropsAreWindowsOfPaddedImageColour) { check_windows(3, 32); }

TEST(AugmentBatch, DeterministicPerSeed) {
  Dataset data = random_dataset(30, 1, 28, 3);
  torch::Tensor indices = torch::arange(30, torch::kLong);
  at::Generator a = at::make_generator<at::CPUGeneratorImpl>(42);
  at::Generator b = at::make_generator<at::CPUGeneratorImpl>(42);
  at::Generator c = at::make_generator<at::CPUGeneratorImpl>(43);
  torch::Tensor first = make_batch(data, indices, true, a).inputs;
  EXPECT_TRUE(first.equal(make_batch(data, indices, true, b).inputs));
  EXPECT_FALSE(first.equal(make_batch(data, indices, true, c).inputs));
  // The generator advances: the next batch from it differs.
  EXPECT_FALSE(first.equal(make_batch(data, indices, true, a).inputs));
}

}  // namespace
}  // namespace localsgd
