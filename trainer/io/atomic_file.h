// Defines how every output reaches disk: written under "<name>.tmp" and renamed to its final
// name only when complete, so a crash or an error never leaves a partial result behind.
#pragma once

#include <string>

namespace localsgd {

void write_file_atomically(const std::string& path, const std::string& content);

// The path a file is written under before it is renamed into place.
inline std::string temporary_name(const std::string& path) { return path + ".tmp"; }

// Renames `temporary_name(path)` to `path`, or throws naming both.
void rename_into_place(const std::string& path);

}  // namespace localsgd
