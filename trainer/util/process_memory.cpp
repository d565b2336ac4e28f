#include "util/process_memory.h"

#include <fstream>
#include <string>

namespace localsgd {
namespace {

// A "Name:  1234 kB" line of /proc/self/status, in bytes.
std::int64_t status_bytes(const std::string& name) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.compare(0, name.size() + 1, name + ":") == 0) return std::stoll(line.substr(name.size() + 1)) * 1024;
  return 0;
}

}  // namespace

std::int64_t resident_set_bytes() { return status_bytes("VmRSS"); }
std::int64_t peak_resident_set_bytes() { return status_bytes("VmHWM"); }

}  // namespace localsgd
