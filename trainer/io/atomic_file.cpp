#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace localsgd {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what, int error) {
  throw IoError(path + ": " + what + " (" + std::strerror(error) + ")");
}

// Writes all of `content` to the open file `fd`, retrying short writes and interruptions.
void write_all(int fd, const std::string& content, const std::string& path) {
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t written = ::write(fd, data, left);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) fail(path, "write failed", errno);
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

}  // namespace

void rename_into_place(const std::string& path) {
  const std::string tmp = temporary_name(path);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(tmp.c_str());
    fail(path, "cannot rename from " + tmp, error);
  }
}

void write_temporary(const std::string& path, const std::string& content) {
  const std::string tmp = temporary_name(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(tmp, "cannot open for writing", errno);
  try {
    write_all(fd, content, tmp);
    // Flushed before the rename, so that after a crash of the machine the name never points at
    // a file whose blocks were not written yet.
    if (::fsync(fd) != 0) fail(tmp, "cannot flush to disk", errno);
  } catch (...) {
    ::close(fd);
    std::remove(tmp.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    const int error = errno;
    std::remove(tmp.c_str());
    fail(tmp, "write failed", error);
  }
}

void write_file_atomically(const std::string& path, const std::string& content) {
  write_temporary(path, content);
  rename_into_place(path);
}

}  // namespace localsgd
