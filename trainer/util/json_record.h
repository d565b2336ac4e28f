// Defines JsonRecord: one flat JSON object built key by key in insertion order, with numbers
// printed in the shortest form that reads back exactly, so equal runs give equal bytes.
// Non-finite numbers (a diverged loss) are written as null, since JSON has no NaN.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace localsgd {

class JsonRecord {
 public:
  JsonRecord& add(const std::string& key, double value);
  JsonRecord& add(const std::string& key, std::int64_t value);
  JsonRecord& add(const std::string& key, int value) { return add(key, static_cast<std::int64_t>(value)); }
  JsonRecord& add(const std::string& key, const std::string& value);
  JsonRecord& add(const std::string& key, const char* value) { return add(key, std::string(value)); }
  JsonRecord& add(const std::string& key, bool value);
  JsonRecord& add_null(const std::string& key);
  std::string str() const { return "{" + body_ + "}"; }

 private:
  JsonRecord& raw(const std::string& key, const std::string& json);
  std::string body_;
};

std::string json_quote(const std::string& text);

}  // namespace localsgd
