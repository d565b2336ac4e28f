#include "json_files.h"

#include <fstream>
#include <limits>

#include "analysis_error.h"

namespace localsgd::analysis {

namespace {

std::ifstream open_or_throw(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw AnalysisError(path + ": cannot open file");
  return in;
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r") == std::string::npos; }

}  // namespace

std::vector<JsonLine> read_json_lines(const std::string& path) {
  std::ifstream in = open_or_throw(path);
  std::vector<JsonLine> lines;
  std::string text;
  for (int number = 1; std::getline(in, text); ++number) {
    if (blank(text)) continue;
    JsonLine record{number, {}};
    try {
      record.value = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      throw AnalysisError(path + ":" + std::to_string(number) + ": invalid JSON: " + e.what());
    }
    if (!record.value.is_object())
      throw AnalysisError(path + ":" + std::to_string(number) + ": expected a JSON object");
    lines.push_back(std::move(record));
  }
  return lines;
}

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in = open_or_throw(path);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw AnalysisError(path + ": invalid JSON: " + e.what());
  }
}

double number_field(const JsonLine& record, const std::string& key, const std::string& path) {
  const std::string where = path + ":" + std::to_string(record.line) + ": ";
  const auto it = record.value.find(key);
  if (it == record.value.end()) throw AnalysisError(where + "no field \"" + key + "\"");
  if (it->is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!it->is_number()) throw AnalysisError(where + "field \"" + key + "\" is not a number");
  return it->get<double>();
}

}  // namespace localsgd::analysis
