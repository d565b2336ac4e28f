#include "data/file_bytes.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "data/dataset.h"

namespace localsgd {

void data_file_error(const std::string& path, const std::string& what) { throw DataError(path + ": " + what); }

Bytes read_file_bytes(const std::string& path) {
  errno = 0;
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr)
    data_file_error(path, std::string("cannot open (") + (errno ? std::strerror(errno) : "zlib error") + ")");
  Bytes bytes;
  std::uint8_t chunk[1 << 16];
  int got;
  while ((got = gzread(file, chunk, sizeof chunk)) > 0) bytes.insert(bytes.end(), chunk, chunk + got);
  if (got < 0) {
    int code;
    std::string message = gzerror(file, &code);
    gzclose(file);
    data_file_error(path, "read error after " + std::to_string(bytes.size()) + " bytes (" + message + ")");
  }
  gzclose(file);
  return bytes;
}

}  // namespace localsgd
