// Defines how every output reaches disk: written under "<name>.tmp", flushed to the device and
// renamed to its final name only when complete, so a crash or an error never leaves a partial
// result behind. Every failure throws IoError naming the file and the system's reason (ENOSPC
// reads "No space left on device"), never an abort.
#pragma once

#include <stdexcept>
#include <string>

namespace localsgd {

class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void write_file_atomically(const std::string& path, const std::string& content);

// The two halves of write_file_atomically, for callers that act in between (keeping the previous
// checkpoint): writes and flushes `content` to temporary_name(path)...
void write_temporary(const std::string& path, const std::string& content);

// The path a file is written under before it is renamed into place.
inline std::string temporary_name(const std::string& path) { return path + ".tmp"; }

// ...and renames `temporary_name(path)` to `path`, or throws naming both.
void rename_into_place(const std::string& path);

}  // namespace localsgd
