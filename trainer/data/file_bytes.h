// Defines read_file_bytes(): the whole content of a data file, gzip files decompressed (zlib
// reads plain files as they are), for every reader of data/. A file that cannot be opened or
// read throws DataError naming it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace localsgd {

using Bytes = std::vector<std::uint8_t>;

Bytes read_file_bytes(const std::string& path);

// Throws DataError "<path>: <what>".
[[noreturn]] void data_file_error(const std::string& path, const std::string& what);

}  // namespace localsgd
