// The CIFAR ResNet against parameter counts worked out from the architecture by hand.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "models/resnet.h"
#include "support.h"

namespace localsgd {
namespace {

using testing::count_parameters;

// Independent count: stem conv + BN, 3 stages of n blocks (two 3x3 convs + two BNs each), the
// two projection shortcuts (1x1 conv + BN), and the classifier.
std::int64_t expected_parameters(int depth, std::int64_t c1, std::int64_t c2, std::int64_t c3,
                                 std::int64_t in, std::int64_t classes) {
  const int n = (depth - 2) / 6;
  auto block = [](std::int64_t a, std::int64_t b) { return 9 * a * b + 9 * b * b + 4 * b; };
  std::int64_t total = 9 * in * c1 + 2 * c1;
  total += block(c1, c1) * n;
  total += block(c1, c2) + (c1 * c2 + 2 * c2) + block(c2, c2) * (n - 1);
  total += block(c2, c3) + (c2 * c3 + 2 * c3) + block(c3, c3) * (n - 1);
  return total + c3 * classes + classes;
}

TEST(ResNetTest, ResNet20MatchesThePublished027M) {
  ResNet model(ResNetOptions{20, 1.0, 3, 10});
  const auto n = count_parameters(*model);
  EXPECT_EQ(n, expected_parameters(20, 16, 32, 64, 3, 10));
  EXPECT_NEAR(n / 1e6, 0.27, 0.005);  // He et al. 2016, Table 6: 0.27M
}

// Independent count of multiply-accumulates on an h x h input (stride-2 3x3 convolutions with
// padding 1 give ceil(h / 2)): every 3x3 convolution is 9 x in x out per output pixel, the 1x1
// shortcuts in x out, the classifier c3 x classes.
std::int64_t expected_macs(int depth, std::int64_t c1, std::int64_t c2, std::int64_t c3, std::int64_t in,
                           std::int64_t classes, std::int64_t h) {
  const int n = (depth - 2) / 6;
  const std::int64_t h2 = (h + 1) / 2, h3 = (h2 + 1) / 2;
  auto conv3 = [](std::int64_t a, std::int64_t b, std::int64_t side) { return 9 * a * b * side * side; };
  std::int64_t total = conv3(in, c1, h) + 2 * n * conv3(c1, c1, h);
  total += conv3(c1, c2, h2) + c1 * c2 * h2 * h2 + (2 * n - 1) * conv3(c2, c2, h2);
  total += conv3(c2, c3, h3) + c2 * c3 * h3 * h3 + (2 * n - 1) * conv3(c3, c3, h3);
  return total + c3 * classes;
}

TEST(ResNetTest, MultiplyAccumulatesPerImage) {
  // ResNet-20 on CIFAR: 40.8 M, the "41 M" usually quoted (option-A shortcuts give 40.55 M).
  EXPECT_EQ(ResNet(ResNetOptions{20, 1.0, 3, 10})->multiply_accumulates(32, 32), 40813184);
  EXPECT_EQ(expected_macs(20, 16, 32, 64, 3, 10, 32), 40813184);
  // The small scale's stand-in: ResNet-20 at width 0.25 on 28 x 28 Fashion-MNIST (28 -> 14 -> 7).
  EXPECT_EQ(ResNet(ResNetOptions{20, 0.25, 1, 10})->multiply_accumulates(28, 28),
            expected_macs(20, 4, 8, 16, 1, 10, 28));
  EXPECT_EQ(ResNet(ResNetOptions{8, 0.25, 1, 10})->multiply_accumulates(28, 28), 605408);  // by hand
  for (int depth : {32, 56, 110})
    EXPECT_EQ(ResNet(ResNetOptions{depth, 1.0, 3, 100})->multiply_accumulates(32, 32),
              expected_macs(depth, 16, 32, 64, 3, 100, 32)) << depth;
}

TEST(ResNetTest, DeeperAndNarrowerVariants) {
  for (int depth : {8, 32, 56, 110}) {
    ResNet model(ResNetOptions{depth, 1.0, 3, 100});
    EXPECT_EQ(count_parameters(*model), expected_parameters(depth, 16, 32, 64, 3, 100)) << depth;
  }
  ResNet narrow(ResNetOptions{20, 0.25, 1, 10});
  EXPECT_EQ(count_parameters(*narrow), expected_parameters(20, 4, 8, 16, 1, 10));
  EXPECT_EQ(resnet_stage_widths(0.01), (std::array<std::int64_t, 3>{1, 1, 1}));
}

TEST(ResNetTest, OutputShapeOnCifarAndMnistSizedInputs) {
  ResNet cifar(ResNetOptions{20, 0.5, 3, 10});
  EXPECT_EQ(cifar->forward(torch::zeros({2, 3, 32, 32})).sizes(), (std::vector<std::int64_t>{2, 10}));
  ResNet mnist(ResNetOptions{8, 0.5, 1, 10});
  EXPECT_EQ(mnist->forward(torch::zeros({3, 1, 28, 28})).sizes(), (std::vector<std::int64_t>{3, 10}));
}

TEST(ResNetTest, RejectsDepthsOutsideTheFamily) {
  EXPECT_THROW(ResNet(ResNetOptions{21, 1.0, 3, 10}), std::invalid_argument);
}

TEST(ResNetTest, InitialisationFollowsThePaper) {
  ResNet model(ResNetOptions{56, 1.0, 3, 10});
  auto generator = at::make_generator<at::CPUGeneratorImpl>(7);
  initialise_resnet(*model, generator);
  for (const auto& p : model->named_parameters()) {
    const auto& w = p.value();
    if (p.key() == "classifier.weight") {
      EXPECT_NEAR(w.std().item<double>(), 0.01, 0.001);
    } else if (w.dim() == 4) {  // He fan-out: std = sqrt(2 / (out * kh * kw))
      const double expected = std::sqrt(2.0 / (w.size(0) * w.size(2) * w.size(3)));
      EXPECT_NEAR(w.std().item<double>() / expected, 1.0, 0.1) << p.key();
    } else if (p.key().find("weight") != std::string::npos) {
      EXPECT_TRUE(w.eq(1).all().item<bool>()) << p.key();  // BN scale
    } else {
      EXPECT_TRUE(w.eq(0).all().item<bool>()) << p.key();  // biases
    }
  }
}

}  // namespace
}  // namespace localsgd
