#include "io/checkpoint.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "io/archive_bytes.h"
#include "io/atomic_file.h"

namespace localsgd {

std::string checkpoint_path(const std::string& run_dir, int rank) {
  return run_dir + (rank < 0 ? "/checkpoint.pt" : "/checkpoint.rank" + std::to_string(rank) + ".pt");
}

std::string config_hash(const RunConfig& config) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const unsigned char c : to_toml(config)) h = (h ^ c) * 1099511628211ULL;
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

std::string previous_checkpoint_path(const std::string& path) {
  const std::string suffix = ".pt";
  const bool has_suffix = path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  return (has_suffix ? path.substr(0, path.size() - suffix.size()) : path) + ".previous.pt";
}

void write_checkpoint(const std::string& path, const RunConfig& config, const RunState& state, bool keep_previous) {
  const std::filesystem::path file(path);
  std::error_code error;
  std::filesystem::create_directories(file.parent_path(), error);
  if (error) throw CheckpointError(file.parent_path().string() + ": cannot create (" + error.message() + ")");
  std::string bytes;
  try {
    torch::serialize::OutputArchive archive;
    archive.write("format", torch::tensor({kCheckpointFormat}, torch::kLong));
    archive.write("config_hash", c10::IValue(config_hash(config)));
    archive.write("step", torch::tensor({state.step}, torch::kLong));
    torch::serialize::OutputArchive saved;
    state.save(saved);
    archive.write("state", saved);
    bytes = archive_bytes(archive);
  } catch (const c10::Error& e) {
    throw CheckpointError(path + ": cannot serialise the checkpoint (" + e.what_without_backtrace() + ")");
  }
  try {
    write_temporary(path, bytes);
  } catch (const IoError& e) {
    throw CheckpointError(std::string("cannot write the checkpoint: ") + e.what());
  }
  const std::string previous = previous_checkpoint_path(path);
  if (keep_previous && std::filesystem::exists(path) && std::rename(path.c_str(), previous.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(temporary_name(path).c_str());
    throw CheckpointError(previous + ": cannot keep the previous checkpoint (" + reason + ")");
  }
  try {
    rename_into_place(path);
  } catch (const IoError& e) {
    throw CheckpointError(std::string("cannot move the checkpoint into place: ") + e.what());
  }
}

namespace {

// Opens `path` and checks its format and config hash.
void open_checkpoint(const std::string& path, const RunConfig& config, torch::serialize::InputArchive& archive) {
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    throw CheckpointError(path + ": not a readable checkpoint (" + e.what_without_backtrace() + ")");
  }
  torch::Tensor format;
  c10::IValue hash;
  try {
    archive.read("format", format);
    archive.read("config_hash", hash);
  } catch (const c10::Error&) {
    throw CheckpointError(path + ": not a localsgd checkpoint (no format or config hash)");
  }
  if (format.item<std::int64_t>() != kCheckpointFormat)
    throw CheckpointError(path + ": checkpoint format " + std::to_string(format.item<std::int64_t>()) +
                          ", this trainer reads format " + std::to_string(kCheckpointFormat));
  if (hash.toStringRef() != config_hash(config))
    throw CheckpointError(path + ": a checkpoint of another config (hash " + hash.toStringRef() + ", this config's is " +
                          config_hash(config) + "); pass --force to start afresh, or run with the config it was written with");
}

}  // namespace

std::int64_t checkpoint_step(const std::string& path, const RunConfig& config) {
  if (!std::filesystem::exists(path)) return -1;
  torch::serialize::InputArchive archive;
  open_checkpoint(path, config, archive);
  torch::Tensor step;
  try {
    archive.read("step", step);
  } catch (const c10::Error&) {
    throw CheckpointError(path + ": not a localsgd checkpoint (no step)");
  }
  return step.item<std::int64_t>();
}

bool read_checkpoint(const std::string& path, const RunConfig& config, RunState& state) {
  if (!std::filesystem::exists(path)) return false;
  torch::serialize::InputArchive archive;
  open_checkpoint(path, config, archive);
  torch::serialize::InputArchive saved;
  archive.read("state", saved);
  try {
    state.load(saved);
  } catch (const std::exception& e) {
    throw CheckpointError(path + ": " + e.what());
  }
  return true;
}

}  // namespace localsgd
