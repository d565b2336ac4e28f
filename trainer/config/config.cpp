// Defines load_config(): parses the TOML file with toml++ (the only code that sees TOML),
// applies --set overrides to the parsed table, maps every key onto RunConfig with type
// checks, then hands over to check_config() for ranges and combinations.
#include "config/config.h"
#include "config/config_fields.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <type_traits>

#include "config/config_checks.h"
#include "config/config_problems.h"

namespace localsgd {
namespace {

using config_detail::ConfigProblems;
using config_detail::KeyOrigin;
using config_detail::KeyOrigins;
using config_detail::Where;

const std::vector<std::string> kSections = {"run",       "data",      "model",   "algorithm",
                                            "optimizer", "schedule", "comm"};

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    default: return "nothing";
  }
}

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t") + 1 - begin);
}

// Each convert() stores the node's value into the field, or returns what is wrong with it.
std::string convert(const toml::node& node, double& field) {
  if (const auto* i = node.as_integer()) {
    field = static_cast<double>(i->get());
  } else if (const auto* f = node.as_floating_point()) {
    if (!std::isfinite(f->get())) {
      return "must be a finite number (got " + config_detail::format_number(f->get()) + ")";
    }
    field = f->get();
  } else {
    return "expected a number, got " + type_name(node);
  }
  return "";
}

template <class Int, class = std::enable_if_t<std::is_integral_v<Int>>>
std::string convert(const toml::node& node, Int& field) {
  const auto* i = node.as_integer();
  if (i == nullptr) return "expected an integer, got " + type_name(node);
  const std::int64_t v = i->get();
  if constexpr (std::is_unsigned_v<Int>) {
    if (v < 0) return "must be >= 0 (got " + std::to_string(v) + ")";
  } else if (v < static_cast<std::int64_t>(std::numeric_limits<Int>::min()) ||
             v > static_cast<std::int64_t>(std::numeric_limits<Int>::max())) {
    return "out of range for a " + std::to_string(8 * sizeof(Int)) + "-bit integer (got " +
           std::to_string(v) + ")";
  }
  field = static_cast<Int>(v);
  return "";
}

std::string convert(const toml::node& node, bool& field) {
  const auto* b = node.as_boolean();
  if (b == nullptr) return "expected a boolean, got " + type_name(node);
  field = b->get();
  return "";
}

std::string convert(const toml::node& node, std::string& field) {
  const auto* s = node.as_string();
  if (s == nullptr) return "expected a string, got " + type_name(node);
  field = s->get();
  return "";
}

std::string convert(const toml::node& node, std::vector<double>& field) {
  const auto* array = node.as_array();
  if (array == nullptr) return "expected an array of numbers, got " + type_name(node);
  std::vector<double> values;
  for (const toml::node& element : *array) {
    double v = 0;
    if (!convert(element, v).empty()) {
      return "expected an array of numbers, got an array containing a " + type_name(element);
    }
    values.push_back(v);
  }
  field = std::move(values);
  return "";
}

// What the reading of one file has found so far, and where each value came from.
struct Context {
  std::string path;
  ConfigProblems problems;
  KeyOrigins origins;
  std::map<std::string, Where> override_keys;    // "section.key" -> the override that set it
  std::map<std::string, Where> override_tables;  // section -> the override that created it

  Where where(const std::string& dotted, const toml::key& key) const {
    if (const auto it = override_keys.find(dotted); it != override_keys.end()) return it->second;
    const auto& begin = key.source().begin;
    if (begin.line == 0) {
      if (const auto it = override_tables.find(dotted); it != override_tables.end()) {
        return it->second;
      }
    }
    return Where::in_file(path, static_cast<int>(begin.line), static_cast<int>(begin.column));
  }
};

// Applies "section.key=value" overrides to the parsed document, remembering their sites.
void apply_overrides(toml::table& root, const std::vector<std::string>& overrides,
                     Context& context) {
  for (std::size_t index = 0; index < overrides.size(); ++index) {
    const std::string& text = overrides[index];
    const Where site = Where::in_override(text, static_cast<int>(index));
    const auto eq = text.find('=');
    const std::string name = trim(text.substr(0, eq));
    const auto dot = name.find('.');
    const std::string section = trim(name.substr(0, dot));
    const std::string key = dot == std::string::npos ? "" : trim(name.substr(dot + 1));
    if (eq == std::string::npos || section.empty() || key.empty() ||
        key.find('.') != std::string::npos) {
      context.problems.add(site, "", "expected section.key=value");
      continue;
    }
    if (root.get(section) == nullptr) {
      root.insert(section, toml::table{});
      context.override_tables.emplace(section, site);
    }
    toml::table* table = root.get(section)->as_table();
    if (table == nullptr) {
      context.problems.add(site, section, "cannot set a key in it: it is not a table");
      continue;
    }
    const std::string value = text.substr(eq + 1);
    std::optional<toml::table> parsed;
    try {
      parsed = toml::parse("v = " + value, std::string_view("--set"));
    } catch (const toml::parse_error&) {
    }
    if (parsed && parsed->size() == 1 && parsed->contains("v")) {
      parsed->get("v")->visit([&](const auto& node) { table->insert_or_assign(key, node); });
    } else {
      table->insert_or_assign(key, trim(value));  // not TOML: a bare word, taken as a string
    }
    context.override_keys[section + "." + key] = site;
  }
}

// Reads the keys of one section into typed fields; the names read are the known keys.
class SectionReader {
 public:
  SectionReader(Context& context, std::string name, const toml::table& root, bool lenient = false)
      : context_(context), name_(std::move(name)), lenient_(lenient) {
    if (const toml::node* node = root.get(name_)) table_ = node->as_table();
  }

  template <class T>
  void operator()(const char* key, T& field) {
    known_.emplace_back(key);
    if (table_ == nullptr) return;
    const auto it = table_->find(key);
    if (it == table_->end()) return;
    const std::string dotted = name_ + "." + key;
    KeyOrigin& origin = context_.origins[dotted];
    origin.where = context_.where(dotted, it->first);
    const std::string problem = convert(it->second, field);
    if (!problem.empty()) {
      origin.bad = true;
      context_.problems.add(origin.where, dotted, problem);
    }
  }

  // Reports every key of the section that no operator() call asked for.
  void report_unknown_keys() {
    if (table_ == nullptr || lenient_) return;
    for (const auto& [key, node] : *table_) {
      const std::string name(key.str());
      if (std::find(known_.begin(), known_.end(), name) != known_.end()) continue;
      std::string message = "unknown key";
      const std::string suggestion = config_detail::closest_name(name, known_);
      if (!suggestion.empty()) message += " (did you mean '" + suggestion + "'?)";
      const std::string dotted = name_ + "." + name;
      context_.problems.add(context_.where(dotted, key), dotted, message);
    }
  }

 private:
  Context& context_;
  std::string name_;
  const toml::table* table_ = nullptr;
  std::vector<std::string> known_;
  bool lenient_ = false;  // keys it does not know are another kind's (ConfigSchema::algorithms_unchecked)
};

void check_top_level(const toml::table& root, Context& context) {
  for (const auto& [key, node] : root) {
    const std::string name(key.str());
    const Where where = context.where(name, key);
    if (std::find(kSections.begin(), kSections.end(), name) != kSections.end()) {
      if (!node.is_table()) {
        context.problems.add(where, name, "expected a table, got " + type_name(node));
      }
      continue;
    }
    std::string message = node.is_table() ? "unknown table" : "unknown top-level key";
    const std::string suggestion = config_detail::closest_name(name, kSections);
    if (!suggestion.empty()) message += " (did you mean '" + suggestion + "'?)";
    if (!node.is_table()) message += "; keys belong in a table such as [run] or [algorithm]";
    context.problems.add(where, name, message);
  }
}

// Walks the key list with one SectionReader per table; unknown keys are reported per table.
class ConfigReader {
 public:
  ConfigReader(Context& context, const toml::table& root, const ConfigSchema& schema)
      : context_(context), root_(root), schema_(schema) {}
  ~ConfigReader() { finish_section(); }
  void section(const char* name) {
    finish_section();
    current_.emplace(context_, name, root_, schema_.algorithms_unchecked && std::string(name) == "algorithm");
  }
  template <class T>
  void operator()(const char* key, T& field) { (*current_)(key, field); }
  template <class T>
  void optional(const char* key, T& field) { (*current_)(key, field); }
  // Every registered kind's own keys are read (and so known), each into its own options.
  void kind_options(const std::string& family, const std::string&, RunConfig& c) {
    const auto& kinds = family == "algorithm" ? schema_.algorithms : schema_.models;
    for (const KindSchema& kind : kinds) {
      if (!kind.options) continue;
      auto options = kind.options->clone();
      FieldVisitorFor<SectionReader> forward(*current_);
      options->visit(forward);
      c.options[family + ":" + kind.name] = options;
    }
  }

 private:
  void finish_section() {
    if (current_) current_->report_unknown_keys();
  }
  Context& context_;
  const toml::table& root_;
  const ConfigSchema& schema_;
  std::optional<SectionReader> current_;
};

RunConfig read_config(const toml::table& root, Context& context, const ConfigSchema& schema) {
  check_top_level(root, context);
  RunConfig c;
  {
    ConfigReader reader(context, root, schema);
    visit_config_fields(c, reader);
  }
  return c;
}

bool sets_any_key(const toml::table& table) {
  for (const auto& [key, node] : table)
    if (!node.is_table() || sets_any_key(*node.as_table())) return true;
  return false;
}

}  // namespace

RunConfig load_config(const std::string& path, const std::vector<std::string>& overrides,
                      const ConfigSchema& schema) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw ConfigError(path + ": cannot open (is a directory)");
  }
  if (!std::ifstream(path)) {
    throw ConfigError(path + ": cannot open (" + std::strerror(errno) + ")");
  }
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    if (begin.line == 0) {
      throw ConfigError(path + ": cannot open (" + std::string(e.description()) + ")");
    }
    throw ConfigError(path + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column) +
                      ": syntax error: " + std::string(e.description()));
  }
  // Every key has a default, so an empty file would silently train ResNet-20 on all of
  // Fashion-MNIST: far more likely a wrong or empty file than a wish.
  if (!sets_any_key(root) && overrides.empty())
    throw ConfigError(path + ": sets no key (an empty config would train every default: ResNet-20 on all of "
                      "Fashion-MNIST); name what to train, e.g. [model] and [algorithm], or give the keys with --set");
  Context context;
  context.path = path;
  apply_overrides(root, overrides, context);
  RunConfig config = read_config(root, context, schema);
  Where file;
  file.text = path;
  config_detail::check_config(config, schema, context.origins, file, context.problems);
  if (!context.problems.empty()) throw ConfigError(context.problems.report());
  return config;
}

}  // namespace localsgd
