// Defines to_toml(): the effective RunConfig as TOML text, every key in declaration order,
// written by hand (no toml++ here) so that load_config() reads back an equal config:
// doubles in shortest round-trip form and always as floats, absent optionals omitted.
#include <cstdio>
#include <map>
#include <sstream>

#include "config/config.h"
#include "config/config_fields.h"
#include "config/config_checks.h"
#include "config/config_problems.h"

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
  // The chosen kind's own keys, where the config has them.
  void kind_options(const std::string& family, const std::string& kind, const RunConfig& c) {
    const auto found = c.options.find(family + ":" + kind);
    if (found == c.options.end()) return;
    FieldVisitorFor<Writer> forward(*this);
    found->second->clone()->visit(forward);
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

}  // namespace

namespace {

std::string type_of(double) { return "float"; }
std::string type_of(int) { return "integer"; }
std::string type_of(std::int64_t) { return "integer"; }
std::string type_of(std::uint64_t) { return "integer"; }
std::string type_of(bool) { return "boolean"; }
std::string type_of(const std::string&) { return "string"; }
std::string type_of(const std::vector<double>&) { return "array"; }

struct Infos {
  std::vector<KeyInfo> out;
  std::string section_;
  void section(const char* name) { section_ = name; }
  template <class T>
  void add(const char* name, const T& v, bool optional, bool present) {
    std::string value;
    if (present) {
      Writer w;
      w.key(name, v);
      value = w.text();
      value = value.substr(value.find(" = ") + 3);
      value.pop_back();  // the newline
    }
    out.push_back({section_ + "." + name, type_of(v), value, optional});
  }
  template <class T>
  void operator()(const char* name, const T& v) { add(name, v, false, true); }
  void optional(const char* name, double v) { add(name, v, true, v >= 0); }
  void kind_options(const std::string& family, const std::string& kind, const RunConfig& c) {
    const auto found = c.options.find(family + ":" + kind);
    if (found == c.options.end()) return;
    FieldVisitorFor<Infos> forward(*this);
    found->second->clone()->visit(forward);
  }
};

}  // namespace

std::vector<KeyInfo> key_infos(const RunConfig& c) {
  Infos infos;
  visit_config_fields(c, infos);
  return infos.out;
}

std::map<std::string, std::string> config_detail::key_texts(const RunConfig& c) {
  std::map<std::string, std::string> texts;
  for (const auto& info : key_infos(c))
    if (!info.value.empty() || !info.optional) texts[info.key] = info.value;
  return texts;
}

std::map<std::string, std::vector<std::string>> key_choices(const ConfigSchema& schema) {
  auto names = [](const std::vector<KindSchema>& kinds) {
    std::vector<std::string> out;
    for (const auto& k : kinds) out.push_back(k.name);
    return out;
  };
  return {{"run.worker_passes", {"one-by-one", "stacked"}},
          {"data.dataset", schema.datasets},
          {"data.sampling", {"shuffle", "with-replacement"}},
          {"model.arch", names(schema.models)},
          {"algorithm.kind", names(schema.algorithms)},
          {"algorithm.bn_stats", {"local", "average"}},
          {"algorithm.momentum", {"local", "average", "reset"}},
          {"optimizer.lr_scaling", {"linear", "sqrt", "none"}},
          {"comm.backend", {"auto", "simulated", "mpi", "nccl"}},
          {"comm.allreduce_cost", {"tree", "flat"}}};
}

std::string to_toml(const RunConfig& c) {
  Writer w;
  visit_config_fields(c, w);
  return "# effective config written by localsgd-train\n\n" + w.text();
}

}  // namespace localsgd
