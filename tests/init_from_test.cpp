// A run started from a saved model (run.init_from; Gu et al. start post-local SGD from a
// checkpoint of mini-batch SGD): every worker's parameters and BN statistics are the file's,
// read here independently of the trainer; a file of another size and a missing file are
// errors naming the key and the file.
#include <gtest/gtest.h>

#include "config_files.h"
#include "io/model_file.h"
#include "models/model_registry.h"
#include "run/trainer.h"
#include "support.h"

namespace localsgd {
namespace {

using namespace testing;

std::string trained_model_file(const TrainTestData& data, const RunConfig& config) {
  Trainer first(config, data);
  first.run(nullptr);
  const std::string path = ::testing::TempDir() + "localsgd_init_from_model.pt";
  save_model(first.averaged_model(), path);
  return path;
}

TEST(InitFromTest, EveryWorkerStartsFromTheFile) {
  const auto data = synthetic_data(320, 32);
  const RunConfig base = quick_config("minibatch", 2, 1);
  const std::string path = trained_model_file(data, base);
  // The file's tensors, loaded into a model built from the config alone.
  ModelPtr saved = make_model(base, InMemoryImages(data.train).shape());
  load_model(*saved, path);
  RunConfig c = quick_config("local", 3, 2);
  c.run.init_from = path;
  Trainer second(c, data);
  const auto params = second.replicas().params, bn = second.replicas().bn_stats;
  std::vector<torch::Tensor> flat_params, flat_bn;
  for (const auto& p : saved->parameters()) flat_params.push_back(p.flatten());
  for (const auto& b : bn_statistics(*saved)) flat_bn.push_back(b.flatten());
  for (int k = 0; k < 3; ++k) {
    EXPECT_TRUE(torch::equal(params[k], torch::cat(flat_params))) << "worker " << k;
    EXPECT_TRUE(torch::equal(bn[k], torch::cat(flat_bn))) << "worker " << k;
  }
  Trainer fresh(quick_config("local", 3, 2), data);
  EXPECT_FALSE(torch::equal(fresh.replicas().params, params));
}

TEST(InitFromTest, ErrorsNameTheKeyAndTheFile) {
  const auto data = synthetic_data(320, 32);
  const std::string path = trained_model_file(data, quick_config("minibatch", 2, 1));
  RunConfig wider = quick_config("minibatch", 2, 1);
  wider.model.width = 0.5;
  wider.run.init_from = path;
  try {
    Trainer t(wider, data);
    FAIL() << "a model of another width was loaded";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("run.init_from: " + path + ": not a model of this architecture and size", 0), 0u)
        << message;
  }
  EXPECT_EQ(config_error("[run]\ninit_from = \"/nonexistent/model.pt\"\n"),
            ":2:1: run.init_from: cannot read the model file \"/nonexistent/model.pt\"");
}

}  // namespace
}  // namespace localsgd
