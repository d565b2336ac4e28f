#include "csv_writer.h"

#include <charconv>

#include "analysis_error.h"

namespace localsgd::analysis {

std::string format_number(double value) {
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, result.ptr);
}

void check_label(const std::string& label) {
  if (label.empty()) throw AnalysisError("empty series label");
  for (char c : label)
    if (c == ',' || c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20)
      throw AnalysisError("series label '" + label +
                          "' contains a comma, quote, backslash or control character");
}

std::string curves_csv(const std::vector<Series>& series) {
  std::string out = "series,x,y_mean,y_std,seeds\n";
  for (const Series& s : series) {
    check_label(s.label);
    for (const SeriesPoint& p : s.points)
      out += s.label + "," + format_number(p.x) + "," + format_number(p.y_mean) + "," +
             format_number(p.y_std) + "," + std::to_string(p.seeds) + "\n";
  }
  return out;
}

}  // namespace localsgd::analysis
