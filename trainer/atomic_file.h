// Defines how every output reaches disk: written under "<name>.tmp" and renamed to its final
// name only when complete, so a crash or an error never leaves a partial result behind.
#pragma once

#include <fstream>
#include <string>

namespace localsgd {

void write_file_atomically(const std::string& path, const std::string& content);

// A file written over time (a metrics log): lines go to "<path>.tmp" and are flushed as they
// come, so the log can be followed; commit() renames it; destruction without commit() removes it.
class PendingFile {
 public:
  explicit PendingFile(std::string path);
  ~PendingFile();
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;
  void write_line(const std::string& line);
  void commit();
  const std::string& temporary_path() const { return tmp_; }

 private:
  std::string path_, tmp_;
  std::ofstream out_;
  bool committed_ = false;
};

// The path a file is written under before it is renamed into place.
inline std::string temporary_name(const std::string& path) { return path + ".tmp"; }

}  // namespace localsgd
