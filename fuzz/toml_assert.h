// Forced into trainer/config/config.cpp in the fuzz build only (cmake/fuzz.cmake), before TOML++:
// TOML++'s internal assertions become notes printed once per site instead of aborts. Debian's
// libtomlplusplus, which localsgd-train links, is built with NDEBUG by gcc, where they compile to
// nothing, so they say nothing about the trainer; counting them still tells TOML++'s own state.
// Anything that goes wrong after one (memory errors, __builtin_unreachable) is still reported.
#pragma once

#include <cstdio>
#include <set>
#include <utility>

inline void localsgd_fuzz_toml_assert(const char* expr, const char* file, int line) {
  static std::set<std::pair<const char*, int>> seen;
  if (seen.emplace(file, line).second)
    std::fprintf(stderr, "==localsgd-fuzz== note: TOML++ internal assertion failed (compiled out in Debian's "
                         "library): %s at %s:%d\n", expr, file, line);
}

#define TOML_ASSERT(expr) ((expr) ? static_cast<void>(0) : localsgd_fuzz_toml_assert(#expr, __FILE__, __LINE__))
