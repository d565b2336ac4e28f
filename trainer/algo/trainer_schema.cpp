#include "algo/trainer_schema.h"

#include <set>
#include <sstream>

#include "algo/algorithm_registry.h"
#include "config/config.h"
#include "data/data_kinds.h"
#include "data/dataset.h"
#include "util/json_record.h"
#include "models/model_registry.h"

namespace localsgd {

namespace {

// The checks every architecture gets from its registration: one without a stacked form refuses
// run.worker_passes = "stacked", and its inputs (images, feature vectors) must be the dataset's.
KindSchema with_registration_checks(const ModelKind& kind) {
  KindSchema schema = kind.schema;
  schema.check = [own = kind.schema.check, name = kind.schema.name, stacked = bool(kind.make_stacked),
                  inputs = kind.inputs](const RunConfig& c, KeyChecker& check) {
    if (own) own(c, check);
    if (!stacked && c.run.worker_passes == "stacked")
      check.fail("run.worker_passes", "\"stacked\" needs an architecture with a stacked form; model.arch = \"" +
                                          name + "\" has none: use \"one-by-one\"");
    for (const auto& data : data_kinds())
      if (data.name == c.data.dataset && data.inputs != inputs)
        check.clash({"model.arch", "data.dataset"}, "model.arch = \"" + name + "\" takes " + inputs +
                                                        " but data.dataset = \"" + data.name + "\" holds " + data.inputs);
  };
  return schema;
}

}  // namespace

const ConfigSchema& trainer_schema() {
  static const ConfigSchema schema = [] {
    ConfigSchema s;
    for (const auto& kind : algorithm_kinds()) s.algorithms.push_back(kind.schema);
    for (const auto& kind : model_kinds()) s.models.push_back(with_registration_checks(kind));
    s.datasets = data_kind_names();
    s.features = {"global-delay", "stragglers", "switch-epoch", "momentum-policy", "bn-stats-policy", "stacked-worker-passes",
                  "lars", "noise-injection", "weight-spread", "batch-schedule", "sampling-with-replacement",
                  "label-noise", "init-from", "bn-recompute"};
    return s;
  }();
  return schema;
}

RunConfig load_config(const std::string& path, const std::vector<std::string>& overrides) {
  return load_config(path, overrides, trainer_schema());
}

namespace {

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + json_quote(items[i]);
  return out + "]";
}

void describe_kinds(std::ostringstream& out, const char* name, const std::vector<KindSchema>& kinds,
                    const std::string& family) {
  out << "  \"" << name << "\": {\n";
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    std::vector<std::string> keys = kinds[i].keys;
    if (kinds[i].options)
      for (const auto& k : kinds[i].options->keys()) keys.push_back(family + "." + k);
    out << "    " << json_quote(kinds[i].name) << ": {\"summary\": " << json_quote(kinds[i].summary)
        << ", \"keys\": " << json_list(keys) << "}" << (i + 1 < kinds.size() ? "," : "") << "\n";
  }
  out << "  },\n";
}

// Every key: the built-in ones, then each kind's own, with that kind's defaults.
std::vector<KeyInfo> all_keys(const ConfigSchema& schema) {
  std::vector<KeyInfo> keys = key_infos(RunConfig{});
  std::set<std::string> seen;
  for (const auto& k : keys) seen.insert(k.key);
  auto add_kinds = [&](const std::vector<KindSchema>& kinds, const std::string& family) {
    for (const auto& kind : kinds) {
      if (!kind.options) continue;
      RunConfig c;
      (family == "algorithm" ? c.algorithm.kind : c.model.arch) = kind.name;
      c.options[family + ":" + kind.name] = kind.options;
      for (const auto& k : key_infos(c))
        if (seen.insert(k.key).second) keys.push_back(k);
    }
  };
  add_kinds(schema.algorithms, "algorithm");
  add_kinds(schema.models, "model");
  return keys;
}

}  // namespace

std::string describe_json(const ConfigSchema& schema) {
  std::ostringstream out;
  out << "{\n  \"format\": 1,\n";
  describe_kinds(out, "algorithms", schema.algorithms, "algorithm");
  describe_kinds(out, "models", schema.models, "model");
  out << "  \"datasets\": {\n";
  for (std::size_t i = 0; i < schema.datasets.size(); ++i) {
    const DataShape shape = data_kind(schema.datasets[i]).shape;  // 0: read from the files
    out << "    " << json_quote(schema.datasets[i]) << ": " << JsonRecord()
               .add("channels", shape.channels).add("height", shape.height)
               .add("width", shape.width).add("classes", shape.num_classes).str()
        << (i + 1 < schema.datasets.size() ? "," : "") << "\n";
  }
  out << "  },\n  \"features\": " << json_list(schema.features) << ",\n  \"keys\": {\n";
  const auto choices = key_choices(schema);
  const auto keys = all_keys(schema);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const KeyInfo& k = keys[i];
    out << "    " << json_quote(k.key) << ": {\"type\": " << json_quote(k.type)
        << ", \"default\": " << (k.value.empty() && k.optional ? "null" : k.value);
    if (const auto found = choices.find(k.key); found != choices.end()) out << ", \"choices\": " << json_list(found->second);
    if (k.optional) out << ", \"optional\": true";
    out << "}" << (i + 1 < keys.size() ? "," : "") << "\n";
  }
  out << "  }\n}\n";
  return out.str();
}

}  // namespace localsgd
