#include "io/model_file.h"

#include <filesystem>
#include <stdexcept>

#include "data/data_kinds.h"
#include "io/archive_bytes.h"
#include "io/atomic_file.h"
#include "models/model_registry.h"

namespace localsgd {

void save_model(Model& model, const std::string& path) {
  // As torch::save(module, path) does it, but through memory (io/archive_bytes.h).
  torch::serialize::OutputArchive archive(std::make_shared<torch::jit::CompilationUnit>());
  model.save(archive);
  write_file_atomically(path, archive_bytes(archive));
}

namespace {

// Every parameter's and buffer's name and shape: LibTorch's load replaces tensors whatever their
// shape, so a model of another size would load silently.
std::vector<std::pair<std::string, std::vector<std::int64_t>>> shapes(Model& model) {
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> out;
  for (const auto& p : model.named_parameters()) out.emplace_back(p.key(), p.value().sizes().vec());
  for (const auto& b : model.named_buffers()) out.emplace_back(b.key(), b.value().sizes().vec());
  return out;
}

}  // namespace

void load_model(Model& model, const std::string& path) {
  const auto expected = shapes(model);
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    model.load(archive);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": not a model of this architecture and size (" +
                             std::string(e.what_without_backtrace()) + ")");
  }
  const auto loaded = shapes(model);
  for (std::size_t i = 0; i < expected.size(); ++i)
    if (loaded[i] != expected[i])
      throw std::runtime_error(path + ": not a model of this architecture and size (" + expected[i].first +
                               " has shape " + c10::str(c10::IntArrayRef(loaded[i].second)) + ", the config builds " +
                               c10::str(c10::IntArrayRef(expected[i].second)) + ")");
}

ConfigSchema saved_run_schema() {
  ConfigSchema schema;
  for (const auto& kind : model_kinds()) schema.models.push_back(kind.schema);
  schema.datasets = dataset_names();
  schema.algorithms_unchecked = true;
  return schema;
}

SavedRun load_saved_run(const std::string& run_dir) {
  const std::string config_path = run_dir + "/config.toml", model_path = run_dir + "/model.pt";
  for (const auto& path : {config_path, model_path})
    if (!std::filesystem::is_regular_file(path))
      throw std::runtime_error(path + ": not found (a run directory holds config.toml and model.pt)");
  SavedRun run;
  try {
    run.config = load_config(config_path, {}, saved_run_schema());
  } catch (const ConfigError& e) {
    throw std::runtime_error(std::string("invalid run config\n") + e.what());
  }
  run.model = make_model(run.config, data_shape(run.config.data));
  load_model(*run.model, model_path);
  for (const auto& p : run.model->parameters())
    if (!torch::isfinite(p).all().item<bool>())
      throw std::runtime_error(model_path + ": the model has non-finite parameters (a diverged run?)");
  return run;
}

}  // namespace localsgd
