#include "staged_outputs.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "analysis_error.h"

namespace fs = std::filesystem;

namespace localsgd::analysis {

StagedOutputs::StagedOutputs(const std::string& prefix) {
  const fs::path p(prefix);
  base_ = p.filename().string();
  if (base_.empty() || base_ == "." || base_ == "..")
    throw AnalysisError("--out " + prefix + ": expected a path prefix such as figures/accuracy");
  dir_ = p.parent_path().empty() ? "." : p.parent_path().string();
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw AnalysisError(dir_ + ": cannot create directory: " + ec.message());
  std::string pattern = (fs::path(dir_) / ("." + base_ + ".staging-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) throw AnalysisError(dir_ + ": cannot create a staging directory");
  staging_ = pattern;
}

StagedOutputs::~StagedOutputs() {
  std::error_code ignored;
  fs::remove_all(staging_, ignored);
}

std::string StagedOutputs::staged(const std::string& suffix) const {
  return (fs::path(staging_) / (base_ + suffix)).string();
}

std::string StagedOutputs::final_path(const std::string& suffix) const {
  return (fs::path(dir_) / (base_ + suffix)).string();
}

void StagedOutputs::write(const std::string& suffix, const std::string& content) const {
  std::ofstream out(staged(suffix), std::ios::binary);
  out << content;
  out.close();
  if (!out) throw AnalysisError(staged(suffix) + ": cannot write file");
}

void StagedOutputs::commit(const std::vector<std::string>& suffixes) {
  for (const std::string& suffix : suffixes) {
    std::error_code ec;
    const auto size = fs::file_size(staged(suffix), ec);
    if (ec || size == 0)
      throw AnalysisError(final_path(suffix) + ": was not produced (empty or missing)");
  }
  for (const std::string& suffix : suffixes) {
    std::error_code ec;
    fs::rename(staged(suffix), final_path(suffix), ec);
    if (ec) throw AnalysisError(final_path(suffix) + ": cannot rename into place: " + ec.message());
  }
}

}  // namespace localsgd::analysis
