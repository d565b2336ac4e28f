// Stages the files of one figure (PREFIX.csv, .gp, .png, ...) in a fresh hidden directory beside
// PREFIX and renames them into place only on commit(); if commit() is never reached the staging
// directory and everything in it is removed, so an error leaves no partial outputs.
#pragma once

#include <string>
#include <vector>

namespace localsgd::analysis {

class StagedOutputs {
 public:
  explicit StagedOutputs(const std::string& prefix);  // creates PREFIX's directory if needed
  ~StagedOutputs();
  StagedOutputs(const StagedOutputs&) = delete;
  StagedOutputs& operator=(const StagedOutputs&) = delete;

  const std::string& base() const { return base_; }             // file name of PREFIX
  std::string staged(const std::string& suffix) const;          // staging/BASE+suffix
  std::string final_path(const std::string& suffix) const;      // PREFIX+suffix
  void write(const std::string& suffix, const std::string& content) const;
  // Checks every staged file exists and is non-empty, then renames each into place.
  void commit(const std::vector<std::string>& suffixes);

 private:
  std::string dir_, base_, staging_;
};

}  // namespace localsgd::analysis
