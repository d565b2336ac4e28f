#include "util/json_record.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace localsgd {

std::string json_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

JsonRecord& JsonRecord::raw(const std::string& key, const std::string& json) {
  if (!body_.empty()) body_ += ", ";
  body_ += json_quote(key) + ": " + json;
  return *this;
}

JsonRecord& JsonRecord::add(const std::string& key, double value) {
  if (!std::isfinite(value)) return raw(key, "null");
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, value);  // shortest round-trip form
  return raw(key, std::string(buf, result.ptr));
}

JsonRecord& JsonRecord::add(const std::string& key, std::int64_t value) {
  return raw(key, std::to_string(value));
}

JsonRecord& JsonRecord::add(const std::string& key, const std::string& value) {
  return raw(key, json_quote(value));
}

JsonRecord& JsonRecord::add(const std::string& key, bool value) { return raw(key, value ? "true" : "false"); }

JsonRecord& JsonRecord::add_null(const std::string& key) { return raw(key, "null"); }

}  // namespace localsgd
