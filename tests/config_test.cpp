// Tests load_config() and to_toml(): loading, defaults, every kind of located error
// (syntax, unknown names, types, ranges, enums, combinations), overrides and round trips.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "algo/trainer_schema.h"
#include "config/config.h"
#include "config_files.h"

namespace localsgd {
namespace {

using testing::load_error;
using testing::write_config;

void expect_same(const RunConfig& a, const RunConfig& b) {
  EXPECT_EQ(a.run.seed, b.run.seed);
  EXPECT_EQ(a.run.epochs, b.run.epochs);
  EXPECT_EQ(a.run.eval_every_epochs, b.run.eval_every_epochs);
  EXPECT_EQ(a.run.threads, b.run.threads);
  EXPECT_EQ(a.data.dataset, b.data.dataset);
  EXPECT_EQ(a.data.path, b.data.path);
  EXPECT_EQ(a.data.train_subset, b.data.train_subset);
  EXPECT_EQ(a.data.test_subset, b.data.test_subset);
  EXPECT_EQ(a.data.augment, b.data.augment);
  EXPECT_EQ(a.data.eval_batch, b.data.eval_batch);
  EXPECT_EQ(a.model.arch, b.model.arch);
  EXPECT_EQ(a.model.depth, b.model.depth);
  EXPECT_EQ(a.model.width, b.model.width);
  EXPECT_EQ(a.algorithm.kind, b.algorithm.kind);
  EXPECT_EQ(a.algorithm.workers, b.algorithm.workers);
  EXPECT_EQ(a.algorithm.local_batch, b.algorithm.local_batch);
  EXPECT_EQ(a.algorithm.local_steps, b.algorithm.local_steps);
  EXPECT_EQ(a.algorithm.block_size, b.algorithm.block_size);
  EXPECT_EQ(a.algorithm.block_steps, b.algorithm.block_steps);
  EXPECT_EQ(a.algorithm.switch_epoch, b.algorithm.switch_epoch);
  EXPECT_EQ(a.algorithm.bn_stats, b.algorithm.bn_stats);
  EXPECT_EQ(a.algorithm.momentum, b.algorithm.momentum);
  EXPECT_EQ(a.optimizer.lr, b.optimizer.lr);
  EXPECT_EQ(a.optimizer.base_batch, b.optimizer.base_batch);
  EXPECT_EQ(a.optimizer.lr_scaling, b.optimizer.lr_scaling);
  EXPECT_EQ(a.optimizer.momentum, b.optimizer.momentum);
  EXPECT_EQ(a.optimizer.nesterov, b.optimizer.nesterov);
  EXPECT_EQ(a.optimizer.weight_decay, b.optimizer.weight_decay);
  EXPECT_EQ(a.optimizer.decay_bn, b.optimizer.decay_bn);
  EXPECT_EQ(a.optimizer.decay_bias, b.optimizer.decay_bias);
  EXPECT_EQ(a.schedule.warmup_epochs, b.schedule.warmup_epochs);
  EXPECT_EQ(a.schedule.warmup_lr, b.schedule.warmup_lr);
  EXPECT_EQ(a.schedule.decay_at, b.schedule.decay_at);
  EXPECT_EQ(a.schedule.decay_factor, b.schedule.decay_factor);
  EXPECT_EQ(a.comm.backend, b.comm.backend);
  EXPECT_EQ(a.comm.global_delay, b.comm.global_delay);
  EXPECT_EQ(a.comm.latency, b.comm.latency);
  EXPECT_EQ(a.comm.bandwidth, b.comm.bandwidth);
  EXPECT_EQ(a.comm.block_latency, b.comm.block_latency);
  EXPECT_EQ(a.comm.block_bandwidth, b.comm.block_bandwidth);
  EXPECT_EQ(a.comm.collective_timeout, b.comm.collective_timeout);
  EXPECT_EQ(a.comm.compute_step_seconds, b.comm.compute_step_seconds);
  EXPECT_EQ(a.comm.compute_sample_seconds, b.comm.compute_sample_seconds);
  EXPECT_EQ(a.comm.allreduce_cost, b.comm.allreduce_cost);
  EXPECT_EQ(a.comm.straggler_probability, b.comm.straggler_probability);
  EXPECT_EQ(a.comm.straggler_seconds, b.comm.straggler_seconds);
}

const char* const kFullConfig = R"([run]
seed = 7
epochs = 3.5
eval_every_epochs = 0.5
threads = 2

[data]
dataset = "cifar10"
path = "/data/cifar"
train_subset = 1000
test_subset = 200
augment = false
eval_batch = 250

[model]
arch = "resnet"
depth = 32
width = 0.5

[algorithm]
kind = "postlocal"
workers = 8
local_batch = 64
local_steps = 4
switch_epoch = 1.5
bn_stats = "average"
momentum = "reset"

[optimizer]
lr = 0.2
base_batch = 256
lr_scaling = "sqrt"
momentum = 0.8
nesterov = false
weight_decay = 5e-4
decay_bn = true
decay_bias = false

[schedule]
warmup_epochs = 1
warmup_lr = 0.05
decay_at = [0.3, 0.6, 0.9]
decay_factor = 0.2

[comm]
backend = "simulated"
global_delay = 0.5
latency = 1e-4
bandwidth = 1e9
block_latency = 2e-6
block_bandwidth = 2e10
collective_timeout = 45
compute_step_seconds = 0.003
compute_sample_seconds = 2e-4
allreduce_cost = "flat"
straggler_probability = 0.1
straggler_seconds = 2.5
)";

TEST(ConfigLoad, FullConfigLoadsAllFieldsAsWritten) {
  const RunConfig c = load_config(write_config(kFullConfig));
  RunConfig expected;
  expected.run = {7, 3.5, 0.5, 2};
  expected.data = {"cifar10", "/data/cifar", 1000, 200, false, 250};
  expected.model = {"resnet", 32, 0.5};
  expected.algorithm = {"postlocal", 8, 64, 4, 0, 1, 1.5, "average", "reset"};
  expected.optimizer = {0.2, 256, "sqrt", 0.8, false, 5e-4, true, false};
  expected.schedule = {1.0, 0.05, {0.3, 0.6, 0.9}, 0.2};
  expected.comm = {"simulated", 0.5, 1e-4, 1e9, 2e-6, 2e10, 45, 0.003, 2e-4, "flat", 0.1, 2.5};
  expect_same(c, expected);
}

TEST(ConfigLoad, MissingSectionsAndKeysKeepDefaults) {
  expect_same(load_config(write_config("[model]\narch = \"resnet\"\n")), RunConfig{});
  expect_same(load_config(write_config(""), {"model.arch=resnet"}), RunConfig{});

  const RunConfig c = load_config(write_config("[algorithm]\nworkers = 16\n", "_partial"));
  RunConfig expected;
  expected.algorithm.workers = 16;
  expect_same(c, expected);
  EXPECT_LT(c.algorithm.switch_epoch, 0);
  EXPECT_LT(c.schedule.warmup_lr, 0);
}

TEST(ConfigLoad, IntegerIsAcceptedForAFloatField) {
  const RunConfig c = load_config(write_config("[run]\nepochs = 3\n"));
  EXPECT_EQ(c.run.epochs, 3.0);
}

TEST(ConfigLoad, DottedKeysAndInlineTablesWork) {
  const RunConfig c =
      load_config(write_config("algorithm.workers = 2\nmodel = { depth = 56 }\n"));
  EXPECT_EQ(c.algorithm.workers, 2);
  EXPECT_EQ(c.model.depth, 56);
}

TEST(ConfigErrors, MissingFile) {
  const std::string path = ::testing::TempDir() + "localsgd_no_such_config.toml";
  EXPECT_EQ(load_error(path), path + ": cannot open (No such file or directory)");
}

TEST(ConfigErrors, SyntaxErrorIsLocated) {
  const std::string path = write_config("[run]\nepochs = 3\nseed = = 4\n");
  EXPECT_EQ(load_error(path),
            path + ":3:8: syntax error: Error while parsing value: could not determine value "
                   "type");
}

TEST(ConfigErrors, UnknownKeyWithDidYouMean) {
  const std::string path = write_config("[run]\nepochs = 2\n\n[algorithm]\nkind = \"local\"\n"
                                        "workers = 2\nlocal_step = 4\n");
  EXPECT_EQ(load_error(path),
            path + ":7:1: algorithm.local_step: unknown key (did you mean 'local_steps'?)");
}

TEST(ConfigErrors, UnknownKeyWithoutCloseName) {
  const std::string path = write_config("[optimizer]\nlr = 0.1\nfoobarbaz = 1\n");
  EXPECT_EQ(load_error(path), path + ":3:1: optimizer.foobarbaz: unknown key");
}

TEST(ConfigErrors, UnknownTable) {
  const std::string path = write_config("[run]\nepochs = 2\n[schedul]\ndecay_factor = 0.5\n"
                                        "[trainer]\nx = 1\n");
  EXPECT_EQ(load_error(path), path + ":3:2: schedul: unknown table (did you mean 'schedule'?)\n" +
                                  path + ":5:2: trainer: unknown table");
}

TEST(ConfigErrors, TopLevelKeyOutsideATable) {
  const std::string path = write_config("epochs = 3\n");
  EXPECT_EQ(load_error(path), path + ":1:1: epochs: unknown top-level key; keys belong in a "
                                     "table such as [run] or [algorithm]");
}

TEST(ConfigErrors, StringForNumber) {
  const std::string path = write_config("[optimizer]\nlr = \"0.1\"\n");
  EXPECT_EQ(load_error(path), path + ":2:1: optimizer.lr: expected a number, got string");
}

TEST(ConfigErrors, FloatForInteger) {
  const std::string path = write_config("[algorithm]\nworkers = 4.0\n");
  EXPECT_EQ(load_error(path), path + ":2:1: algorithm.workers: expected an integer, got float");
}

TEST(ConfigErrors, OtherWrongTypes) {
  const std::string path = write_config(
      "[data]\naugment = 1\ndataset = 10\n[schedule]\ndecay_at = 0.5\n[run]\nseed = -1\n"
      "[model]\ndepth = 9999999999\n[optimizer]\nweight_decay = inf\n");
  EXPECT_EQ(load_error(path),
            path + ":2:1: data.augment: expected a boolean, got integer\n" +
            path + ":3:1: data.dataset: expected a string, got integer\n" +
            path + ":5:1: schedule.decay_at: expected an array of numbers, got float\n" +
            path + ":7:1: run.seed: must be >= 0 (got -1)\n" +
            path + ":9:1: model.depth: out of range for a 32-bit integer (got 9999999999)\n" +
            path + ":11:1: optimizer.weight_decay: must be a finite number (got inf)");
  const std::string mixed = write_config("[schedule]\ndecay_at = [0.5, \"x\"]\n", "_mixed");
  EXPECT_EQ(load_error(mixed), mixed + ":2:1: schedule.decay_at: expected an array of numbers, "
                                       "got an array containing a string");
}

TEST(ConfigErrors, OutOfRangeValues) {
  const std::string path = write_config(
      "[run]\nepochs = 0\nthreads = -2\n[data]\neval_batch = 0\n[optimizer]\nmomentum = 1.0\n"
      "weight_decay = -0.1\n[schedule]\ndecay_factor = 0\nwarmup_lr = -0.5\n");
  EXPECT_EQ(load_error(path),
            path + ":2:1: run.epochs: must be > 0 (got 0)\n" +
            path + ":3:1: run.threads: must be in [0, 1024] (got -2)\n" +
            path + ":5:1: data.eval_batch: must be >= 1 (got 0)\n" +
            path + ":7:1: optimizer.momentum: must be in [0, 1) (got 1)\n" +
            path + ":8:1: optimizer.weight_decay: must be >= 0 (got -0.1)\n" +
            path + ":10:1: schedule.decay_factor: must be in (0, 1] (got 0)\n" +
            path + ":11:1: schedule.warmup_lr: must be >= 0 (got -0.5)");
}

TEST(ConfigErrors, ModelShape) {
  const std::string path = write_config("[model]\ndepth = 21\nwidth = 0.03\n");
  EXPECT_EQ(load_error(path),
            path + ":2:1: model.depth: must be 6n+2 with n >= 1, e.g. 20, 32, 44, 56, 110 "
                   "(got 21)\n" +
            path + ":3:1: model.width: must be >= 0.03125 so that the narrowest stage (16 x "
                   "width channels) keeps a channel (got 0.03)");
  const std::string two = write_config("[model]\ndepth = 2\nwidth = 0\n", "_2");
  EXPECT_EQ(load_error(two),
            two + ":2:1: model.depth: must be 6n+2 with n >= 1, e.g. 20, 32, 44, 56, 110 "
                  "(got 2)\n" +
            two + ":3:1: model.width: must be > 0 (got 0)");
}

TEST(ConfigErrors, DecayAtMustBeIncreasingFractions) {
  const std::string path = write_config("[schedule]\ndecay_at = [0.5, 1.0]\n");
  EXPECT_EQ(load_error(path), path + ":2:1: schedule.decay_at: entries are fractions of training "
                                     "and must be strictly between 0 and 1 (got 1)");
  const std::string order = write_config("[schedule]\ndecay_at = [0.5, 0.5]\n", "_order");
  EXPECT_EQ(load_error(order), order + ":2:1: schedule.decay_at: entries must be strictly "
                                       "increasing (got 0.5 after 0.5)");
}

// The registered kinds, as the error lists them: a new algorithm or model changes no test here.
std::string registered(const std::vector<KindSchema>& kinds) {
  std::string list;
  for (const auto& k : kinds) list += (list.empty() ? "" : ", ") + k.name;
  return list;
}

TEST(ConfigErrors, EnumListsValidValues) {
  const std::string path = write_config(
      "[algorithm]\nkind = \"locl\"\nbn_stats = \"global\"\n[data]\ndataset = \"cifar-10\"\n"
      "[optimizer]\nlr_scaling = \"square\"\n[model]\narch = \"vgg\"\n");
  EXPECT_EQ(load_error(path),
            path + ":2:1: algorithm.kind: 'locl' is not one of " + registered(trainer_schema().algorithms) +
                   " (did you mean 'local'?)\n" +
            path + ":3:1: algorithm.bn_stats: 'global' is not one of local, average "
                   "(did you mean 'local'?)\n" +
            path + ":5:1: data.dataset: 'cifar-10' is not one of fashion-mnist, cifar10, "
                   "cifar100, libsvm (did you mean 'cifar10'?)\n" +
            path + ":7:1: optimizer.lr_scaling: 'square' is not one of linear, sqrt, none\n" +
            path + ":9:1: model.arch: 'vgg' is not one of " + registered(trainer_schema().models));
  EXPECT_EQ(registered(trainer_schema().algorithms).rfind("minibatch, local, postlocal, hierarchical", 0), 0u);
  EXPECT_EQ(registered(trainer_schema().models).rfind("resnet", 0), 0u);
}

TEST(ConfigCombinations, MinibatchNeedsOneLocalStep) {
  const std::string path =
      write_config("[algorithm]\nlocal_steps = 4\nkind = \"minibatch\"\n");
  EXPECT_EQ(load_error(path), path + ":3:1: algorithm.kind: local_steps does not apply to kind = minibatch");
  const std::string other =
      write_config("[algorithm]\nkind = \"minibatch\"\nlocal_steps = 4\n", "_other");
  EXPECT_EQ(load_error(other), other + ":3:1: algorithm.local_steps: local_steps does not apply to kind = minibatch");
}

TEST(ConfigCombinations, SwitchEpochOnlyForPostlocal) {
  const std::string path = write_config("[algorithm]\nkind = \"local\"\nswitch_epoch = 0.5\n");
  EXPECT_EQ(load_error(path), path + ":3:1: algorithm.switch_epoch: switch_epoch does not apply to "
                                     "kind = local");
}

TEST(ConfigCombinations, SwitchEpochBeforeEndOfTraining) {
  const std::string path = write_config(
      "[algorithm]\nkind = \"postlocal\"\nswitch_epoch = 3\n[run]\nepochs = 3\n");
  EXPECT_EQ(load_error(path), path + ":5:1: run.epochs: switch_epoch must be before the end of "
                                     "training (got 3, run.epochs = 3)");
  const std::string neg = write_config("[algorithm]\nkind = \"postlocal\"\nswitch_epoch = -1\n",
                                       "_negative");
  EXPECT_EQ(load_error(neg), neg + ":3:1: algorithm.switch_epoch: must be >= 0 (got -1)");
}

TEST(ConfigCombinations, PostlocalNeedsASwitchPoint) {
  const std::string path =
      write_config("[algorithm]\nkind = \"postlocal\"\n[schedule]\ndecay_at = []\n");
  EXPECT_EQ(load_error(path), path + ":4:1: schedule.decay_at: postlocal switches at the first LR "
                                     "decay by default, but schedule.decay_at is empty; set "
                                     "algorithm.switch_epoch");
  const std::string fixed = write_config(
      "[algorithm]\nkind = \"postlocal\"\nswitch_epoch = 0.5\n[schedule]\ndecay_at = []\n",
      "_fixed");
  EXPECT_EQ(load_config(fixed).algorithm.switch_epoch, 0.5);
}

TEST(ConfigCombinations, BlockKeysOnlyForHierarchical) {
  const std::string path = write_config("[algorithm]\nkind = \"local\"\nblock_steps = 4\n");
  EXPECT_EQ(load_error(path),
            path + ":3:1: algorithm.block_steps: block_steps does not apply to kind = local");
  const std::string uneven = write_config(
      "[algorithm]\nkind = \"hierarchical\"\nworkers = 6\nblock_size = 4\n", "_uneven");
  EXPECT_EQ(load_error(uneven), uneven + ":4:1: algorithm.block_size: blocks must divide the workers "
                                         "evenly (workers = 6, block_size = 4)");
}

TEST(ConfigCombinations, NesterovNeedsMomentum) {
  const std::string path = write_config("[optimizer]\nmomentum = 0.0\n");
  EXPECT_EQ(load_error(path),
            path + ":2:1: optimizer.momentum: nesterov needs momentum > 0 (momentum is 0)");
  const std::string plain =
      write_config("[optimizer]\nmomentum = 0.0\nnesterov = false\n", "_plain");
  EXPECT_EQ(load_config(plain).optimizer.momentum, 0.0);
}

TEST(ConfigCombinations, WarmupShorterThanTraining) {
  const std::string path = write_config("[run]\nepochs = 2\n[schedule]\nwarmup_epochs = 2\n");
  EXPECT_EQ(load_error(path), path + ":4:1: schedule.warmup_epochs: warmup must end before "
                                     "training does (warmup_epochs = 2, run.epochs = 2)");
}

TEST(ConfigCombinations, SkippedWhenAnInvolvedKeyIsAlreadyWrong) {
  const std::string path = write_config("[algorithm]\nkind = 5\nswitch_epoch = 0.5\n");
  EXPECT_EQ(load_error(path), path + ":2:1: algorithm.kind: expected a string, got integer");
}

TEST(ConfigErrors, AllProblemsReportedAtOnceInFileOrder) {
  const std::string path = write_config(
      "[model]\n"
      "depth = 21\n"
      "[algorithm]\n"
      "workers = 0\n"
      "kind = \"minibatch\"\n"
      "local_steps = 2\n"
      "[optimizer]\n"
      "lr = \"high\"\n"
      "bogus = 1\n");
  EXPECT_EQ(load_error(path, {"run.epoch=2"}),
            path + ":2:1: model.depth: must be 6n+2 with n >= 1, e.g. 20, 32, 44, 56, 110 "
                   "(got 21)\n" +
            path + ":4:1: algorithm.workers: must be in [1, 4096] (got 0)\n" +
            path + ":6:1: algorithm.local_steps: local_steps does not apply to kind = "
                   "minibatch\n" +
            path + ":8:1: optimizer.lr: expected a number, got string\n" +
            path + ":9:1: optimizer.bogus: unknown key\n" +
            "--set run.epoch=2: run.epoch: unknown key (did you mean 'epochs'?)");
}

// A file that sets nothing (empty, comments, empty sections) would train every default.
TEST(ConfigErrors, AConfigThatSetsNoKeyIsRefused) {
  for (const std::string text : {"", "# comment only\n", "[run]\n[model]\n"}) {
    const std::string path = write_config(text, "_empty");
    EXPECT_EQ(load_error(path), path + ": sets no key (an empty config would train every default: ResNet-20 on all of "
                                       "Fashion-MNIST); name what to train, e.g. [model] and [algorithm], or give the keys with --set")
        << text;
  }
}

// Values that would overflow K x B_loc, hang in thread-pool creation or exhaust memory after a
// minute are refused before anything starts; the bounds themselves are accepted.
TEST(ConfigErrors, UpperBoundsStopLaterCrashes) {
  const std::string path = write_config("");
  EXPECT_EQ(load_error(path, {"algorithm.local_batch=1000000000"}),
            "--set algorithm.local_batch=1000000000: algorithm.local_batch: must be in [1, 1048576] (got 1000000000)");
  EXPECT_EQ(load_error(path, {"run.threads=4096"}), "--set run.threads=4096: run.threads: must be in [0, 1024] (got 4096)");
  EXPECT_EQ(load_error(path, {"algorithm.workers=100000"}),
            "--set algorithm.workers=100000: algorithm.workers: must be in [1, 4096] (got 100000)");
  EXPECT_EQ(load_error(path, {"algorithm.local_batch=1048576", "run.threads=1024", "algorithm.workers=4096"}),
            "<no error>");
}

TEST(ConfigOverrides, ChangeValues) {
  const std::string path = write_config("[algorithm]\nkind = \"minibatch\"\nworkers = 2\n");
  const RunConfig c = load_config(
      path, {"algorithm.kind= local ", "algorithm.workers=8", "algorithm.local_steps = 4",
             "schedule.decay_at=[0.3, 0.6]", "optimizer.nesterov=false",
             "data.path=/tmp/some dir", "model.width=2", "run.seed=11"});
  EXPECT_EQ(c.algorithm.kind, "local");
  EXPECT_EQ(c.algorithm.workers, 8);
  EXPECT_EQ(c.algorithm.local_steps, 4);
  EXPECT_EQ(c.schedule.decay_at, (std::vector<double>{0.3, 0.6}));
  EXPECT_FALSE(c.optimizer.nesterov);
  EXPECT_EQ(c.data.path, "/tmp/some dir");
  EXPECT_EQ(c.model.width, 2.0);
  EXPECT_EQ(c.run.seed, 11u);
}

TEST(ConfigOverrides, LaterOverrideWins) {
  const RunConfig c =
      load_config(write_config(""), {"algorithm.workers=8", "algorithm.workers=3"});
  EXPECT_EQ(c.algorithm.workers, 3);
}

TEST(ConfigOverrides, FixAnOtherwiseInvalidValue) {
  const std::string path = write_config("[algorithm]\nkind = \"bogus\"\n[run]\nepochs = 0\n");
  EXPECT_NE(load_error(path), "<no error>");
  const RunConfig c = load_config(path, {"algorithm.kind=postlocal", "run.epochs=4"});
  EXPECT_EQ(c.algorithm.kind, "postlocal");
  EXPECT_EQ(c.run.epochs, 4.0);
}

TEST(ConfigOverrides, BadOverridesAreLocatedAtSet) {
  const std::string path = write_config("[algorithm]\nworkers = 2\n");
  EXPECT_EQ(load_error(path, {"algorithm.workerz=4", "algorithm.workers=four", "workers=4",
                              "algorithm.kind", "algorithm.local_batch=0", "trainer.x=1"}),
            "--set algorithm.workerz=4: algorithm.workerz: unknown key (did you mean "
            "'workers'?)\n"
            "--set algorithm.workers=four: algorithm.workers: expected an integer, got string\n"
            "--set workers=4: expected section.key=value\n"
            "--set algorithm.kind: expected section.key=value\n"
            "--set algorithm.local_batch=0: algorithm.local_batch: must be in [1, 1048576] (got 0)\n"
            "--set trainer.x=1: trainer: unknown table");
}

TEST(ConfigOverrides, CombinationWithAnOverrideIsLocatedAtTheOverride) {
  const std::string path = write_config("[algorithm]\nkind = \"minibatch\"\n");
  EXPECT_EQ(load_error(path, {"algorithm.local_steps=4"}),
            "--set algorithm.local_steps=4: algorithm.local_steps: local_steps does not apply to kind = minibatch");
}

TEST(ConfigToToml, StartsWithCommentAndWritesEveryKey) {
  const std::string text = to_toml(RunConfig{});
  EXPECT_EQ(text.rfind("# effective config written by localsgd-train\n", 0), 0u);
  for (const char* key : {"seed = 1\n", "epochs = 1.0\n", "threads = 0\n", "path = \"\"\n",
                          "dataset = \"fashion-mnist\"\n", "decay_at = [0.5, 0.75]\n",
                          "weight_decay = 0.0001\n", "nesterov = true\n", "width = 1.0\n"}) {
    EXPECT_NE(text.find(key), std::string::npos) << key;
  }
  EXPECT_EQ(text.find("switch_epoch"), std::string::npos);
  EXPECT_EQ(text.find("warmup_lr"), std::string::npos);
}

TEST(ConfigToToml, RoundTripDefaults) {
  const RunConfig defaults;
  expect_same(load_config(write_config(to_toml(defaults))), defaults);
}

TEST(ConfigToToml, RoundTripNonDefaults) {
  RunConfig c = load_config(write_config(kFullConfig));
  c.run.epochs = 0.1 + 0.2;           // needs 17 digits
  c.run.seed = 123456789012345ULL;
  c.model.width = 3.0;                // must come back as a float, not an integer
  c.optimizer.weight_decay = 1e-5;
  c.data.path = "dir \"quoted\" \\ tab\t";
  c.schedule.decay_at = {0.1, 1.0 / 3.0, 0.7};
  c.algorithm.switch_epoch = 0.25;
  c.schedule.warmup_lr = 0.0;
  c.schedule.warmup_epochs = 0.2;
  const std::string text = to_toml(c);
  const RunConfig back = load_config(write_config(text));
  expect_same(back, c);
  EXPECT_EQ(to_toml(back), text);
}

}  // namespace
}  // namespace localsgd
