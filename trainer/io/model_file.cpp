#include "io/model_file.h"

#include <stdexcept>

namespace localsgd {

void save_model(Model& model, const std::string& path) {
  // As torch::save(module, path) does it.
  torch::serialize::OutputArchive archive(std::make_shared<torch::jit::CompilationUnit>());
  model.save(archive);
  archive.save_to(path);
}

void load_model(Model& model, const std::string& path) {
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    model.load(archive);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": not a model of this architecture and size (" +
                             std::string(e.what_without_backtrace()) + ")");
  }
}

}  // namespace localsgd
