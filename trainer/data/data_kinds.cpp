#include "data/data_kinds.h"

#include "data/dataset.h"
#include "data/feature_source.h"
#include "data/libsvm.h"

namespace localsgd {
namespace {

TrainTestSources load_images(const DataSection& data) {
  TrainTestData loaded = load_dataset(data);
  return {std::make_shared<InMemoryImages>(std::move(loaded.train)), std::make_shared<InMemoryImages>(std::move(loaded.test))};
}

DataKind image_kind(const std::string& name) {
  return {name, "images", dataset_shape(name), load_images, [] { return std::make_unique<Classification>(); }};
}

}  // namespace

const std::vector<DataKind>& data_kinds() {
  static const std::vector<DataKind> kinds = [] {
    std::vector<DataKind> all;
    for (const auto& name : dataset_names()) all.push_back(image_kind(name));  // data/dataset.cpp's readers
    all.push_back({"libsvm", "features", {0, 1, 1, 2},
                   [](const DataSection& data) {
                     LibsvmSplits splits = load_libsvm(data);
                     return TrainTestSources{splits.train, splits.test};
                   },
                   [] { return std::make_unique<BinaryLogistic>(); }});
    return all;
  }();
  return kinds;
}

std::vector<std::string> data_kind_names() {
  std::vector<std::string> names;
  for (const auto& kind : data_kinds()) names.push_back(kind.name);
  return names;
}

const DataKind& data_kind(const std::string& dataset) {
  std::string known;
  for (const auto& kind : data_kinds()) {
    if (kind.name == dataset) return kind;
    known += (known.empty() ? "" : ", ") + kind.name;
  }
  throw DataError("data.dataset: unknown dataset '" + dataset + "' (expected " + known + ")");
}

TrainTestSources load_sources(const DataSection& data) { return data_kind(data.dataset).load(data); }

DataShape data_shape(const DataSection& data) {
  const DataKind& kind = data_kind(data.dataset);
  if (kind.shape.channels > 0) return kind.shape;
  return load_sources(data).train->shape();
}

std::unique_ptr<Task> make_task(const DataSection& data) { return data_kind(data.dataset).make_task(); }

}  // namespace localsgd
