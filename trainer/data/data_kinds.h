// Defines the dataset registry: every [data] dataset the trainer reads, with what its samples
// are (images or feature vectors: a model must take the same), its shape where it is fixed, how
// both splits are loaded as sample sources, and the task its labels define. A dataset is one
// reader file plus one line in data_kinds.cpp.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "data/data_shape.h"
#include "data/sample_source.h"
#include "task/task.h"

namespace localsgd {

struct TrainTestSources {
  std::shared_ptr<const SampleSource> train, test;
};

struct DataKind {
  std::string name;
  std::string inputs;  // "images" | "features"
  // The shape without reading the files; 0 where only the files say (a LIBSVM file's dimension).
  DataShape shape;
  std::function<TrainTestSources(const DataSection&)> load;
  std::function<std::unique_ptr<Task>()> make_task;
};

const std::vector<DataKind>& data_kinds();
std::vector<std::string> data_kind_names();
// Throws DataError for an unknown name, listing the known ones.
const DataKind& data_kind(const std::string& dataset);

// Both splits of the configured dataset; a missing or malformed file throws DataError.
TrainTestSources load_sources(const DataSection& data);
// The shape of the configured dataset, reading its files where the shape is only in them.
DataShape data_shape(const DataSection& data);
// The task of the configured dataset's labels.
std::unique_ptr<Task> make_task(const DataSection& data);

}  // namespace localsgd
