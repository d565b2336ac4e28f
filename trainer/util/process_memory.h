// Defines this process's memory use as Linux reports it (/proc/self/status): the resident set
// now (VmRSS) and its peak so far (VmHWM), in bytes; 0 where the file is not there.
#pragma once

#include <cstdint>

namespace localsgd {

std::int64_t resident_set_bytes();
std::int64_t peak_resident_set_bytes();

}  // namespace localsgd
