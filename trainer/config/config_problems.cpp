// Defines ConfigProblems (collect located config problems, report them in file order) and
// the phrasing helpers closest_name() and format_number().
#include "config/config_problems.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <tuple>

namespace localsgd::config_detail {

Where Where::in_file(const std::string& path, int line, int col) {
  Where w;
  w.text = path + ":" + std::to_string(line) + ":" + std::to_string(col);
  w.line = line;
  w.col = col;
  return w;
}

Where Where::in_override(const std::string& override_text, int index) {
  Where w;
  w.text = "--set " + override_text;
  w.override_index = index;
  return w;
}

namespace {
std::tuple<int, int, int> order_key(const Where& w) {
  return {w.override_index, w.line, w.col};  // file positions have override_index -1
}
}  // namespace

bool is_later(const Where& a, const Where& b) { return order_key(b) < order_key(a); }

void ConfigProblems::add(const Where& where, const std::string& key, const std::string& message) {
  std::string line = where.text + ": ";
  if (!key.empty()) line += key + ": ";
  items_.emplace_back(where, line + message);
}

std::string ConfigProblems::report() const {
  auto sorted = items_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return order_key(a.first) < order_key(b.first);
  });
  std::string out;
  for (const auto& item : sorted) {
    if (!out.empty()) out += '\n';
    out += item.second;
  }
  return out;
}

namespace {
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}
}  // namespace

std::string closest_name(const std::string& name, const std::vector<std::string>& known) {
  const std::size_t limit = std::max<std::size_t>(2, name.size() / 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const auto& candidate : known) {
    const std::size_t d = edit_distance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string format_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buffer[64];
  const double magnitude = std::fabs(value);
  const bool plain = magnitude == 0 || (magnitude >= 1e-5 && magnitude < 1e16);
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value,
                                    plain ? std::chars_format::fixed : std::chars_format::scientific);
  return std::string(buffer, result.ptr);
}

}  // namespace localsgd::config_detail
