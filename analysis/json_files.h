// Reads the JSON files of a run directory: JSON Lines (one object per line, blank lines skipped)
// and single JSON documents. Every parse error names "file:line: message".
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace localsgd::analysis {

struct JsonLine {
  int line = 0;  // 1-based line number in the file, for messages
  nlohmann::json value;
};

std::vector<JsonLine> read_json_lines(const std::string& path);
nlohmann::json read_json_file(const std::string& path);

// The number under `key` in a record at path:line; NaN when the value is null (the trainer writes
// non-finite numbers as null). Throws when the key is missing or not a number.
double number_field(const JsonLine& record, const std::string& key, const std::string& path);

}  // namespace localsgd::analysis
