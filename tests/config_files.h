// Config files for tests: written under the test's own name, loaded, and the error they raise.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "config/config.h"

namespace localsgd::testing {

// Writes `text` to a temp file named after the running test (plus suffix); returns its path.
inline std::string write_config(const std::string& text, const std::string& suffix = "") {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string path = ::testing::TempDir() + "localsgd_" + info->test_suite_name() + "_" +
                           info->name() + suffix + ".toml";
  std::ofstream(path) << text;
  return path;
}

// The ConfigError message load_config() throws, or "<no error>".
inline std::string load_error(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    load_config(path, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

// The error of loading `text`, after the file's path ("" when it loads): ":3:1: key: message".
inline std::string config_error(const std::string& text) {
  const std::string path = write_config(text, "_error");
  const std::string error = load_error(path);
  return error == "<no error>" ? "" : error.substr(path.size());
}

// `c` with the [algorithm] section of `text` (a kind's own keys can only come from a config file).
inline RunConfig with_algorithm_keys(RunConfig c, const std::string& text) {
  const RunConfig loaded = load_config(write_config("[run]\nepochs = 10\n[algorithm]\n" + text, "_algorithm"));
  c.algorithm = loaded.algorithm;
  c.options = loaded.options;
  return c;
}

}  // namespace localsgd::testing
