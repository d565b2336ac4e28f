// Defines ConfigProblems: the located problems found while loading a config, collected so
// they can be reported all at once in file order, plus the helpers that phrase them
// (did-you-mean suggestions, numbers). Internal to the config loader; no TOML here.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace localsgd::config_detail {

// Where a value came from: a position in the config file or one --set override.
struct Where {
  std::string text;         // "file:line:col", "--set section.key=value" or just "file"
  int line = 0;             // file position (0 = none)
  int col = 0;
  int override_index = -1;  // >= 0: the n-th override, which comes after the whole file

  static Where in_file(const std::string& path, int line, int col);
  static Where in_override(const std::string& override_text, int index);
};

// True when `a` comes after `b` in report order (file by line and column, then overrides).
bool is_later(const Where& a, const Where& b);

class ConfigProblems {
 public:
  // One problem: "<where>: <key>: <message>", or "<where>: <message>" when key is empty.
  void add(const Where& where, const std::string& key, const std::string& message);
  bool empty() const { return items_.empty(); }
  // All problems sorted into report order, one per line.
  std::string report() const;

 private:
  std::vector<std::pair<Where, std::string>> items_;
};

// The known name closest to `name` if it is close enough to be a likely typo
// (edit distance <= 2, or <= a third of the name's length); "" otherwise.
std::string closest_name(const std::string& name, const std::vector<std::string>& known);

// Shortest decimal text that reads back as exactly `value` ("0.1", "1e-05", "3", "inf").
std::string format_number(double value);

}  // namespace localsgd::config_detail
