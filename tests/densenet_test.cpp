// The CIFAR DenseNet against parameter and multiply-accumulate counts worked out from the
// architecture by hand, Huang et al.'s published sizes, its config keys, and a short training.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <fstream>
#include <string>

#include "config/config.h"
#include "models/densenet.h"
#include "models/model_registry.h"
#include "models/parameter_layout.h"
#include "optim/flat_sgd.h"
#include "run/trainer.h"
#include "config_files.h"
#include "support.h"

namespace localsgd {
namespace {

using namespace testing;

DenseNetOptions densenet(int depth, int growth, bool bottleneck, double compression, std::int64_t in = 3,
                         std::int64_t classes = 10, double width = 1.0) {
  DenseNetOptions o;
  o.depth = depth;
  o.width = width;
  o.growth_rate = growth;
  o.bottleneck = bottleneck;
  o.compression = compression;
  o.in_channels = in;
  o.num_classes = classes;
  return o;
}

// DenseNet-40-12 on CIFAR-10 by hand. 12 layers per block, k = 12, 16 channels into block 1.
//   stem 3x3 conv 3 -> 16:                                          3 * 16 * 9 =       432
//   a layer on c channels: BN 2c + 3x3 conv c -> 12: 2c + 108c = 110c; a block of 12 layers
//   from c0 sees c0, c0 + 12, ..., c0 + 132: 110 * (12 c0 + 792)
//   block 1 (c0 = 16):                                          110 * 984 =   108,240  -> 160
//   transition 1: BN 2 * 160 + 1x1 conv 160 -> 160:           320 + 25,600 =    25,920
//   block 2 (c0 = 160):                                        110 * 2712 =   298,320  -> 304
//   transition 2: BN 2 * 304 + 1x1 conv 304 -> 304:           608 + 92,416 =    93,024
//   block 3 (c0 = 304):                                        110 * 4440 =   488,400  -> 448
//   final BN:                                                                       896
//   classifier 448 -> 10 with bias:                                              4,490
//   total                                                                    1,019,722
TEST(DenseNetTest, DenseNet40With12MatchesTheHandCountAndThePublished10M) {
  DenseNet model(densenet(40, 12, false, 1.0));
  const auto n = count_parameters(*model);
  EXPECT_EQ(n, 1019722);
  EXPECT_NEAR(n / 1e6, 1.0, 0.1);  // Huang et al. 2017, Table 2: DenseNet (L = 40, k = 12), 1.0M
}

// The same count in general, for the variants: a plain layer on c channels 2c + 9kc, a
// bottleneck layer BN 2c + 1x1 conv c -> 4k + BN 8k + 3x3 conv 4k -> k; transitions BN + 1x1 to
// floor(compression x c); the first convolution has 16 channels, 2k with bottleneck.
std::int64_t expected_parameters(int depth, std::int64_t k, bool bottleneck, double compression,
                                 std::int64_t in, std::int64_t classes) {
  const int n = (depth - 4) / (bottleneck ? 6 : 3);
  std::int64_t c = bottleneck ? 2 * k : 16;
  std::int64_t total = 9 * in * c;
  for (int block = 0; block < 3; ++block) {
    for (int layer = 0; layer < n; ++layer, c += k)
      total += bottleneck ? 2 * c + 4 * k * c + 8 * k + 9 * 4 * k * k : 2 * c + 9 * k * c;
    if (block < 2) {
      const auto out = static_cast<std::int64_t>(std::floor(c * compression));
      total += 2 * c + c * out;
      c = out;
    }
  }
  return total + 2 * c + c * classes + classes;
}

TEST(DenseNetTest, DenseNetBC100With12IsThePublished08M) {
  DenseNet model(densenet(100, 12, true, 0.5));
  const auto n = count_parameters(*model);
  EXPECT_EQ(n, expected_parameters(100, 12, true, 0.5, 3, 10));
  EXPECT_NEAR(n / 1e6, 0.8, 0.08);  // Huang et al. 2017, Table 2: DenseNet-BC (L = 100, k = 12), 0.8M
  EXPECT_EQ(expected_parameters(40, 12, false, 1.0, 3, 10), 1019722);
  // The larger published sizes (Table 2): DenseNet (L = 100, k = 24) 27.2M,
  // DenseNet-BC (L = 250, k = 24) 15.3M.
  EXPECT_NEAR(count_parameters(*DenseNet(densenet(100, 24, false, 1.0))) / 1e6, 27.2, 0.1);
  EXPECT_NEAR(count_parameters(*DenseNet(densenet(250, 24, true, 0.5))) / 1e6, 15.3, 0.1);
  for (int depth : {7, 10, 22}) {
    EXPECT_EQ(count_parameters(*DenseNet(densenet(depth, 3, false, 0.5, 1, 4))),
              expected_parameters(depth, 3, false, 0.5, 1, 4)) << depth;
  }
  EXPECT_EQ(count_parameters(*DenseNet(densenet(28, 5, true, 1.0, 1, 100))),
            expected_parameters(28, 5, true, 1.0, 1, 100));
}

TEST(DenseNetTest, WidthScalesTheGrowthRateAndTheFirstConvolution) {
  EXPECT_EQ(densenet_widths(densenet(40, 12, false, 1.0, 3, 10, 0.5)).growth, 6);
  EXPECT_EQ(densenet_widths(densenet(40, 12, false, 1.0, 3, 10, 0.5)).initial, 8);
  EXPECT_EQ(densenet_widths(densenet(100, 12, true, 0.5, 3, 10, 0.5)).initial, 12);  // 2k x width
  EXPECT_EQ(densenet_widths(densenet(40, 12, false, 1.0, 3, 10, 0.01)).growth, 1);  // at least 1
  EXPECT_EQ(densenet_widths(densenet(40, 12, false, 1.0, 3, 10, 0.01)).initial, 1);
}

TEST(DenseNetTest, OutputShapeOnCifarAndMnistSizedInputs) {
  DenseNet cifar(densenet(40, 12, false, 1.0, 3, 10, 0.25));
  EXPECT_EQ(cifar->forward(torch::zeros({2, 3, 32, 32})).sizes(), (std::vector<std::int64_t>{2, 10}));
  DenseNet mnist(densenet(40, 12, false, 1.0, 1, 10, 0.25));  // 28 -> 14 -> 7
  EXPECT_EQ(mnist->forward(torch::zeros({3, 1, 28, 28})).sizes(), (std::vector<std::int64_t>{3, 10}));
  DenseNet bc(densenet(16, 12, true, 0.5, 1, 10, 0.25));
  EXPECT_EQ(bc->forward(torch::zeros({3, 1, 28, 28})).sizes(), (std::vector<std::int64_t>{3, 10}));
}

TEST(DenseNetTest, MultiplyAccumulatesOfTinyNetworksByHand) {
  // Depth 7 (one layer per block), k = 2, 16 first channels, on 1 x 8 x 8, 10 classes; a 3x3
  // conv a -> b on s x s is 9 a b s^2, a 1x1 one a b s^2:
  //   stem 1 -> 16 at 8x8        9 * 1 * 16 * 64 =  9,216
  //   layer 16 -> 2 at 8x8       9 * 16 * 2 * 64 = 18,432   (18 channels)
  //   transition 18 -> 18 at 8x8      18 * 18 * 64 = 20,736   (pool: 4x4)
  //   layer 18 -> 2 at 4x4       9 * 18 * 2 * 16 =  5,184   (20 channels)
  //   transition 20 -> 20 at 4x4      20 * 20 * 16 =  6,400   (pool: 2x2)
  //   layer 20 -> 2 at 2x2        9 * 20 * 2 * 4 =  1,440   (22 channels)
  //   classifier                           22 * 10 =    220
  //   total                                          61,628
  EXPECT_EQ(DenseNet(densenet(7, 2, false, 1.0, 1, 10))->multiply_accumulates(8, 8), 61628);
  // Depth 10 with bottleneck (one layer per block), k = 2 (bottleneck to 8), 2k = 4 first
  // channels, compression 0.5, on 1 x 8 x 8:
  //   stem 1 -> 4 at 8x8                       9 * 4 * 64 =  2,304
  //   layer: 1x1 4 -> 8, 3x3 8 -> 2 at 8x8  32 * 64 + 144 * 64 = 11,264  (6 channels)
  //   transition 6 -> 3 at 8x8                 18 * 64 =  1,152  (4x4)
  //   layer: 1x1 3 -> 8, 3x3 8 -> 2 at 4x4  24 * 16 + 144 * 16 =  2,688  (5 channels)
  //   transition 5 -> floor(2.5) = 2 at 4x4    10 * 16 =    160  (2x2)
  //   layer: 1x1 2 -> 8, 3x3 8 -> 2 at 2x2   16 * 4 + 144 * 4 =    640  (4 channels)
  //   classifier                                4 * 10 =     40
  //   total                                                 18,248
  EXPECT_EQ(DenseNet(densenet(10, 2, true, 0.5, 1, 10))->multiply_accumulates(8, 8), 18248);
  // Through the Model interface, as the micro-benchmarks read it.
  const ModelPtr model = std::make_shared<DenseNetImpl>(densenet(7, 2, false, 1.0, 1, 10));
  EXPECT_EQ(model->multiply_accumulates(DataShape{1, 8, 8, 10}), 61628);
}

TEST(DenseNetTest, RejectsDepthsOutsideTheFamily) {
  EXPECT_THROW(DenseNet(densenet(41, 12, false, 1.0)), std::invalid_argument);
  EXPECT_THROW(DenseNet(densenet(43, 12, true, 0.5)), std::invalid_argument);  // 39 is 3n, not 6n
  EXPECT_THROW(DenseNet(densenet(4, 12, false, 1.0)), std::invalid_argument);
  EXPECT_EQ(densenet_layers_per_block(40, false), 12);
  EXPECT_EQ(densenet_layers_per_block(100, true), 16);
}

TEST(DenseNetTest, InitialisationFollowsTheirCode) {
  DenseNet model(densenet(40, 12, false, 1.0));
  auto generator = at::make_generator<at::CPUGeneratorImpl>(7);
  initialise_densenet(*model, generator);
  for (const auto& p : model->named_parameters()) {
    const auto& w = p.value();
    if (p.key() == "classifier.weight") {  // PyTorch's default: U(-1/sqrt(448), 1/sqrt(448))
      const double bound = 1.0 / std::sqrt(448.0);
      EXPECT_LE(w.abs().max().item<double>(), bound);
      EXPECT_NEAR(w.std().item<double>() / (bound / std::sqrt(3.0)), 1.0, 0.05);
    } else if (w.dim() == 4) {  // normal(0, sqrt(2 / (kh * kw * out)))
      const double expected = std::sqrt(2.0 / (w.size(0) * w.size(2) * w.size(3)));
      EXPECT_NEAR(w.std().item<double>() / expected, 1.0, 0.15) << p.key();
    } else if (p.key().find("weight") != std::string::npos) {
      EXPECT_TRUE(w.eq(1).all().item<bool>()) << p.key();  // BN scale
    } else {
      EXPECT_TRUE(w.eq(0).all().item<bool>()) << p.key();  // BN shifts, classifier bias
    }
  }
  // Every random number comes from the generator: the same seed, the same parameters.
  DenseNet again(densenet(40, 12, false, 1.0));
  auto same = at::make_generator<at::CPUGeneratorImpl>(7);
  torch::manual_seed(123);  // the global generator must not matter
  initialise_densenet(*again, same);
  const auto a = model->parameters(), b = again->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(a[i].equal(b[i])) << i;
}

TEST(DenseNetTest, BatchNormParametersAreNotDecayedByDefault) {
  RunConfig config;
  config.model.arch = "densenet";
  config.model.depth = 10;
  const ModelPtr model = make_model(config, DataShape{3, 32, 32, 10});
  const ParameterLayout layout = ParameterLayout::of(*model);
  const torch::Tensor mask = weight_decay_mask(layout, OptimizerSection{});
  std::int64_t offset = 0, bn = 0;
  for (const auto& p : model->named_parameters()) {  // BN modules are named bn1, bn2, bn, final_bn
    const bool is_bn = p.key().find("bn") != std::string::npos;
    const auto piece = mask.narrow(0, offset, p.value().numel());
    EXPECT_TRUE(piece.eq(is_bn ? 0.0 : 1.0).all().item<bool>()) << p.key();
    offset += p.value().numel();
    bn += is_bn ? p.value().numel() : 0;
  }
  EXPECT_EQ(offset, mask.numel());
  EXPECT_GT(bn, 0);
  OptimizerSection decay_bn;
  decay_bn.decay_bn = true;
  EXPECT_EQ(weight_decay_mask(layout, decay_bn).sum().item<double>(), static_cast<double>(mask.numel()));
}

// Writes `text` to a temp file named after the running test; returns its path.
TEST(DenseNetConfig, OwnKeysLoadAndRoundTrip) {
  const std::string path = write_config("[model]\narch = \"densenet\"\ndepth = 40\ngrowth_rate = 6\n");
  const RunConfig c = load_config(path);
  const auto keys = options_for<DenseNetKeys>(c, "model", "densenet");
  EXPECT_EQ(keys.growth_rate, 6);
  EXPECT_FALSE(keys.bottleneck);
  EXPECT_EQ(keys.compression, 1.0);
  const std::string toml = to_toml(c);
  EXPECT_NE(toml.find("growth_rate = 6"), std::string::npos) << toml;
  const RunConfig again = load_config(write_config(toml, "_again"));
  EXPECT_EQ(options_for<DenseNetKeys>(again, "model", "densenet").growth_rate, 6);
  const ModelPtr model = make_model(c, DataShape{3, 32, 32, 10});
  EXPECT_EQ(count_parameters(*model), count_parameters(*DenseNet(densenet(40, 6, false, 1.0))));

  const std::string bc = write_config(
      "[model]\narch = \"densenet\"\ndepth = 100\nbottleneck = true\ncompression = 0.5\n", "_bc");
  EXPECT_EQ(count_parameters(*make_model(load_config(bc), DataShape{3, 32, 32, 10})),
            expected_parameters(100, 12, true, 0.5, 3, 10));
}

TEST(DenseNetConfig, DepthMustFitTheFamily) {
  const std::string path = write_config("[model]\narch = \"densenet\"\ndepth = 41\n");
  EXPECT_EQ(load_error(path), path + ":3:1: model.depth: must be 3n+4 with n >= 1 (n layers per dense block), "
                                     "e.g. 40 for DenseNet-40 (got 41)");
  const std::string bc = write_config("[model]\narch = \"densenet\"\ndepth = 43\nbottleneck = true\n", "_bc");
  EXPECT_EQ(load_error(bc), bc + ":4:1: model.bottleneck: depth must be 6n+4 with n >= 1 when bottleneck = true "
                                 "(n bottleneck layers per dense block), e.g. 100 for DenseNet-BC-100 (got 43)");
  // The built-in default depth (20) is ResNet-20's, not a DenseNet's: said so.
  const std::string unset = write_config("[model]\narch = \"densenet\"\n", "_unset");
  EXPECT_EQ(load_error(unset), unset + ": model.depth: must be 3n+4 with n >= 1 (n layers per dense block), "
                                       "e.g. 40 for DenseNet-40 (got 20, the default, which is ResNet-20's)");
}

TEST(DenseNetConfig, OwnKeysAreChecked) {
  const std::string path = write_config(
      "[model]\narch = \"densenet\"\ndepth = 40\ngrowth_rate = 0\ncompression = 1.5\n");
  EXPECT_EQ(load_error(path), path + ":4:1: model.growth_rate: must be >= 1 (got 0)\n" + path +
                                  ":5:1: model.compression: must be in (0, 1] (got 1.5)");
  const std::string zero = write_config("[model]\narch = \"densenet\"\ndepth = 40\ncompression = 0\n", "_0");
  EXPECT_EQ(load_error(zero), zero + ":4:1: model.compression: must be in (0, 1] (got 0)");
}

TEST(DenseNetConfig, OwnKeysApplyOnlyToDenseNet) {
  const std::string path = write_config("[model]\narch = \"resnet\"\ngrowth_rate = 6\n");
  EXPECT_EQ(load_error(path), path + ":3:1: model.growth_rate: growth_rate does not apply to arch = resnet");
  const std::string under_resnet = write_config("[model]\ngrowth_rate = 6\nbottleneck = true\n", "_default_arch");
  EXPECT_EQ(load_error(under_resnet), under_resnet + ":2:1: model.growth_rate: growth_rate does not apply to arch = resnet\n" +
                                          under_resnet + ":3:1: model.bottleneck: bottleneck does not apply to arch = resnet");
  // depth is shared with resnet: set under densenet it is DenseNet's (40 is no ResNet depth).
  const std::string shared = write_config("[model]\narch = \"densenet\"\ndepth = 40\n", "_shared");
  EXPECT_EQ(load_error(shared), "<no error>");
}

TEST(DenseNetTraining, ShortRunIsFarAboveChance) {
  RunConfig config = testing::quick_config("local", 2, 2);
  config.model.arch = "densenet";
  config.model.depth = 10;    // 2 layers per block
  config.model.width = 0.25;  // k = 3, 4 first channels
  config.run.epochs = 2;
  // The synthetic class is the bright quadrant: a horizontal flip turns a class into another,
  // which caps any model at 50 % (ResNet-8 too); the crop and flip are not what is tested here.
  config.data.augment = false;
  const auto data = testing::synthetic_data();  // the trainer keeps a reference
  Trainer trainer(config, data);
  const RunResult result = trainer.run(nullptr);
  EXPECT_EQ(result.status, "completed");
  EXPECT_GT(result.final_test_accuracy, 0.6);  // 4 classes: chance is 0.25
}

}  // namespace
}  // namespace localsgd
