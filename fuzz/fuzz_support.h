// Shared by the fuzz targets: a private scratch directory per fuzzing process, writing an input's
// parts to files there (the trainer's readers take paths, not bytes), and the report of a
// finding that is not a crash (an exception of an undocumented type, a broken round trip).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include <cxxabi.h>

namespace localsgd_fuzz {

// A directory of this process under $TMPDIR (fuzz/run.sh points it into build-fuzz/),
// removed at exit; crashes leave it behind for run.sh to clean.
inline const std::string& scratch_dir() {
  static const std::string dir = [] {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/localsgd-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("localsgd fuzz: mkdtemp");
      std::abort();
    }
    static std::string removed;
    removed = pattern;
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(removed, ignored);
    });
    return pattern;
  }();
  return dir;
}

inline void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "localsgd fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
}

// The parts of an input: the bytes between occurrences of `separator` (one part if it is absent).
inline std::vector<std::string_view> split(std::string_view input, std::string_view separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = input.find(separator);
    if (at == std::string_view::npos) break;
    parts.push_back(input.substr(0, at));
    input.remove_prefix(at + separator.size());
  }
  parts.push_back(input);
  return parts;
}

// A finding that is not a signal: printed with the exception's dynamic type, then abort(), which
// libFuzzer reports as a crash (and saves the input as crash-<sha1>).
[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "==localsgd-fuzz== FINDING: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

[[noreturn]] inline void undocumented_exception(const char* call, const std::exception& e) {
  int status = 0;
  char* name = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
  const std::string type = status == 0 && name ? name : typeid(e).name();
  std::free(name);
  finding(std::string(call) + " threw " + type + " (not a documented error type): " + e.what());
}

// LOCALSGD_FUZZ_VERBOSE=1: print the expected errors too (to see why a seed does not load).
inline bool verbose() {
  static const bool on = [] {
    const char* v = std::getenv("LOCALSGD_FUZZ_VERBOSE");
    return v != nullptr && *v != '\0' && *v != '0';
  }();
  return on;
}

inline void expected_error(const char* kind, const std::exception& e) {
  if (verbose()) std::fprintf(stderr, "==localsgd-fuzz== expected %s: %s\n", kind, e.what());
}

// The file-part separator of the dataset targets' inputs (also in their dictionaries).
constexpr std::string_view kFileSeparator = "\n@@FILE@@\n";

}  // namespace localsgd_fuzz
