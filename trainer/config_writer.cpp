// Defines to_toml(): the effective RunConfig as TOML text, every key in declaration order,
// written by hand (no toml++ here) so that load_config() reads back an equal config:
// doubles in shortest round-trip form and always as floats, absent optionals omitted.
#include <cstdio>
#include <sstream>

#include "config.h"
#include "config_fields.h"
#include "config_problems.h"

namespace localsgd {
namespace {

std::string toml_float(double value) {
  std::string text = config_detail::format_number(value);
  if (text.find_first_of(".eni") == std::string::npos) text += ".0";  // "3" would be an integer
  return text;
}

std::string toml_string(const std::string& value) {
  std::string out = "\"";
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04X", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

class Writer {
 public:
  void section(const char* name) { out_ << (out_.tellp() > 0 ? "\n[" : "[") << name << "]\n"; }
  void key(const char* name, double v) { out_ << name << " = " << toml_float(v) << "\n"; }
  void key(const char* name, int v) { out_ << name << " = " << v << "\n"; }
  void key(const char* name, std::int64_t v) { out_ << name << " = " << v << "\n"; }
  void key(const char* name, std::uint64_t v) { out_ << name << " = " << v << "\n"; }
  void key(const char* name, bool v) { out_ << name << " = " << (v ? "true" : "false") << "\n"; }
  void key(const char* name, const std::string& v) {
    out_ << name << " = " << toml_string(v) << "\n";
  }
  void key(const char* name, const std::vector<double>& v) {
    out_ << name << " = [";
    for (std::size_t i = 0; i < v.size(); ++i) out_ << (i > 0 ? ", " : "") << toml_float(v[i]);
    out_ << "]\n";
  }
  template <class T>
  void operator()(const char* name, const T& v) { key(name, v); }
  void optional(const char* name, double v) {
    if (v >= 0) key(name, v);
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

}  // namespace

std::string to_toml(const RunConfig& c) {
  Writer w;
  visit_config_fields(c, w);
  return "# effective config written by localsgd-train\n\n" + w.text();
}

}  // namespace localsgd
