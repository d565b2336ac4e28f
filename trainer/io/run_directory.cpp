#include "io/run_directory.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "io/atomic_file.h"
#include "io/model_file.h"
#include "util/json_record.h"

namespace localsgd {
namespace {

namespace fs = std::filesystem;

// Left by claim()'s writability check if a kill lands between its creation and removal.
constexpr const char* kWriteProbe = ".localsgd-write-probe";

std::string reason(int error) { return std::strerror(error); }

// What a run directory may hold: a run's files, their temporaries, checkpoints.
bool belongs_to_a_run(const std::string& name) {
  for (const auto& file : run_file_names())
    if (name == file || name == temporary_name(file)) return true;
  return name.rfind("checkpoint.", 0) == 0 || name == kWriteProbe || name == temporary_name(kWriteProbe);
}

// Staging directories of `dir` are "<parent>/.<name>.staging-<pid>": on its file system, so that
// one rename moves them.
std::string staging_prefix(const fs::path& dir) {
  return (dir.parent_path() / ("." + dir.filename().string() + ".staging-")).string();
}

void remove_tree(const std::string& path) {
  std::error_code ignored;
  fs::remove_all(path, ignored);
}

void check_only_run_files(const std::string& shown, const std::string& path) {
  std::string foreign;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(path)) {
    const std::string name = entry.path().filename().string();
    if (belongs_to_a_run(name)) continue;
    if (++count <= 3) foreign += (foreign.empty() ? "" : ", ") + name;
  }
  if (count > 3) foreign += " and " + std::to_string(count - 3) + " more";
  if (count > 0)
    throw RunDirectoryError(shown + ": holds files that are not a run's (" + foreign +
                            "); a run replaces its directory as a whole, so choose an empty or new --out");
}

// Removes the staging directories that runs killed while finishing left beside `dir` (whoever
// holds the lock owns them: no other process can be using them).
void remove_stale_staging(const fs::path& dir) {
  const std::string prefix = staging_prefix(dir);
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir.parent_path(), error))
    if (entry.path().string().rfind(prefix, 0) == 0) remove_tree(entry.path().string());
}

void sync_directory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw IoError(path + ": cannot open (" + reason(errno) + ")");
  const int failed = ::fsync(fd), error = errno;
  ::close(fd);
  if (failed != 0) throw IoError(path + ": cannot flush to disk (" + reason(error) + ")");
}

// Swaps the directories `staging` and `path` in one rename, so that `staging` then names the old
// one. Where the file system cannot swap (NFS: EINVAL), `path` moves aside first: a reader may then
// briefly find no directory, still never a mixed one.
void swap_into_place(const std::string& staging, const std::string& path) {
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) return;
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
    throw IoError(path + ": cannot move the results into place from " + staging + " (" + reason(errno) + ")");
  const std::string aside = staging + ".old";
  if (std::rename(path.c_str(), aside.c_str()) != 0)
    throw IoError(path + ": cannot move the old run directory aside (" + reason(errno) + ")");
  if (std::rename(staging.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::rename(aside.c_str(), path.c_str());
    throw IoError(path + ": cannot move the results into place from " + staging + " (" + reason(error) + ")");
  }
  std::rename(aside.c_str(), staging.c_str());
}

}  // namespace

const std::vector<std::string>& run_file_names() {
  static const std::vector<std::string> names = {"config.toml", "model.pt", "metrics.jsonl", "timing.jsonl",
                                                 "summary.json"};
  return names;
}

RunDirectory::RunDirectory(std::string path, int lock_fd, bool created)
    : path_(std::move(path)), lock_fd_(lock_fd), created_(created) {}

RunDirectory::RunDirectory(RunDirectory&& other) noexcept
    : path_(std::move(other.path_)), staging_(std::move(other.staging_)), lock_fd_(other.lock_fd_),
      created_(other.created_), finished_(other.finished_) {
  other.staging_.clear();
  other.lock_fd_ = -1;
  other.created_ = false;
}

RunDirectory::~RunDirectory() {
  if (!staging_.empty()) remove_tree(staging_);
  std::error_code ignored;
  if (created_ && !finished_ && fs::is_empty(path_, ignored)) fs::remove(path_, ignored);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

RunDirectory RunDirectory::claim(const std::string& shown, bool replace) {
  std::error_code error;
  if (fs::exists(shown, error) && !fs::is_directory(shown, error))
    throw RunDirectoryError(shown + ": --out names a file that is not a directory");
  const bool created = fs::create_directories(shown, error);
  if (error) throw RunDirectoryError(shown + ": cannot create the run directory (" + error.message() + ")");
  const fs::path dir = fs::canonical(shown, error);
  if (error || dir == dir.root_path()) throw RunDirectoryError(shown + ": cannot be a run directory");
  const std::string path = dir.string();

  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw RunDirectoryError(shown + ": cannot open the run directory (" + reason(errno) + ")");
  RunDirectory claimed(path, fd, created);  // owns the descriptor from here on
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      throw RunDirectoryError(shown + ": another localsgd-train is writing to this run directory (it holds its "
                              "lock); wait for it to end or choose another --out");
    throw RunDirectoryError(shown + ": cannot lock the run directory (" + reason(errno) + ")");
  }
  // A run that finished while this one opened the directory swapped a new one in.
  struct stat locked {}, named {};
  if (::fstat(fd, &locked) != 0 || ::stat(path.c_str(), &named) != 0 || locked.st_ino != named.st_ino ||
      locked.st_dev != named.st_dev)
    throw RunDirectoryError(shown + ": replaced by another localsgd-train while this one started; run again");

  check_only_run_files(shown, path);
  if (!replace && fs::exists(dir / "summary.json"))
    throw RunDirectoryError(shown + ": holds a completed run (summary.json); pass --force to replace it, or "
                            "choose another --out");
  remove_stale_staging(dir);
  const std::string staging = staging_prefix(dir) + std::to_string(::getpid());
  if (!fs::create_directory(staging, error) || error)
    throw RunDirectoryError(shown + ": cannot create its staging directory " + staging + " (" +
                            (error ? error.message() : "it exists") + "): the results are written there first");
  claimed.staging_ = staging;
  try {  // checkpoints go straight into the directory: find out now, not after training
    write_file_atomically(path + "/" + kWriteProbe, "");
  } catch (const IoError& e) {
    throw RunDirectoryError(shown + ": not writable (" + e.what() + ")");
  }
  std::remove((path + "/" + kWriteProbe).c_str());
  return claimed;
}

std::string metrics_line(const EvalRecord& r) {
  JsonRecord line;
  line.add("epoch", r.epoch).add("step", r.step).add("samples", r.samples)
      .add("sync_rounds", r.sync_rounds).add("comm_bytes", r.comm_bytes)
      .add("block_sync_rounds", r.block_sync_rounds).add("block_comm_bytes", r.block_comm_bytes)
      .add("injected_delay_seconds", r.injected_delay_seconds)
      .add("modelled_comm_seconds", r.modelled_comm_seconds)
      .add("lr", r.lr).add("local_steps", r.local_steps)
      .add("train_loss", r.train_loss).add("train_accuracy", r.train_accuracy)
      .add("test_loss", r.test_loss).add("test_accuracy", r.test_accuracy);
  if (r.weight_spread >= 0) line.add("weight_spread", r.weight_spread);
  if (r.straggler_seconds >= 0) line.add("straggler_seconds", r.straggler_seconds);
  if (!std::isnan(r.objective)) line.add("objective", r.objective).add("suboptimality", r.suboptimality);
  return line.str();
}

std::string timing_line(const EvalRecord& r) {
  JsonRecord line;
  line.add("step", r.step)
      .add("wall_seconds", r.wall_seconds)
      .add("train_seconds", r.train_seconds)
      .add("modelled_compute_seconds", r.modelled_compute_seconds())
      .add("modelled_seconds", r.modelled_seconds())
      .add("time_seconds", r.reported_seconds())
      .add("comm_seconds", r.global_comm.seconds)
      .add("comm_algbw_gbps", r.global_comm.algbw_gbps())
      .add("comm_busbw_gbps", r.global_comm.busbw_gbps())
      .add("block_comm_seconds", r.block_comm.seconds)
      .add("block_comm_algbw_gbps", r.block_comm.algbw_gbps())
      .add("block_comm_busbw_gbps", r.block_comm.busbw_gbps());
  for (std::size_t p = 0; p < kPhaseCount; ++p) line.add(phase_key(static_cast<Phase>(p)), r.phases.seconds[p]);
  return line.add("rss_bytes", r.rss_bytes).add("peak_rss_bytes", r.peak_rss_bytes).str();
}

std::string summary_json(const RunConfig& config, const RunResult& result, std::int64_t parameter_count) {
  JsonRecord summary;
  summary.add("status", result.status);
  if (result.diverged_at_step >= 0) summary.add("diverged_at_step", result.diverged_at_step);
  else summary.add_null("diverged_at_step");
  if (result.local_from_epoch >= 0) summary.add("local_from_epoch", result.local_from_epoch);
  else summary.add_null("local_from_epoch");
  if (result.best_test_accuracy >= 0) {
    summary.add("best_test_accuracy", result.best_test_accuracy);
    summary.add("final_test_accuracy", result.final_test_accuracy);
  } else {
    summary.add_null("best_test_accuracy").add_null("final_test_accuracy");
  }
  const double seconds = result.train_seconds > 0 ? result.train_seconds : 1e-9;
  return summary.add("steps", result.steps)
      .add("samples_seen", result.samples_seen)
      .add("train_seconds", result.train_seconds)
      .add("eval_seconds", result.eval_seconds)
      .add("images_per_second", static_cast<double>(result.samples_seen) / seconds)
      .add("algorithm", config.algorithm.kind)
      .add("workers", config.algorithm.workers)
      .add("backend", result.backend)
      .add("time_basis", time_basis(result.distributed))
      .add("bn_stats", config.algorithm.bn_stats)
      .add("momentum_policy", config.algorithm.momentum)
      .add("parameters", parameter_count)
      .str() + "\n";
}

namespace {

std::string lines_text(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

}  // namespace

void RunDirectory::finish(const RunConfig& config, const RunResult& result,
                          const std::vector<std::string>& metrics_lines, const std::vector<std::string>& timing_lines,
                          Model& model, std::int64_t parameter_count) {
  const std::string& staged = staging_;
  try {
    write_file_atomically(staged + "/config.toml", to_toml(config));
    save_model(model, staged + "/model.pt");
    write_file_atomically(staged + "/metrics.jsonl", lines_text(metrics_lines));
    write_file_atomically(staged + "/timing.jsonl", lines_text(timing_lines));
    write_file_atomically(staged + "/summary.json", summary_json(config, result, parameter_count));
    sync_directory(staged);
  } catch (const IoError& e) {
    throw IoError(path_ + ": cannot write the results, so the directory holds what it held before (" + e.what() + ")");
  }
  swap_into_place(staged, path_);
  remove_tree(staged);  // now the old directory, its checkpoints with it
  staging_.clear();
  finished_ = true;
}

}  // namespace localsgd
