// Defines ConfigSchema: what the families of configurable kinds (algorithms, models) tell the
// config loader about themselves: each kind's name, a one-line summary, the keys of its section
// that only it uses, the keys it adds (OptionSet), and its own checks. The loader accepts exactly
// the registered kinds, reports a kind-only key set under another kind, and runs the kind's
// checks; localsgd-train --describe prints the same schema for the workflow. The registries
// (algo/, models/) build it; config/ knows none of them.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/options.h"

namespace localsgd {

struct RunConfig;

// What a kind's check may do: report a problem at a key, or at the later of several keys.
class KeyChecker {
 public:
  virtual ~KeyChecker() = default;
  virtual bool present(const std::string& key) const = 0;
  virtual void fail(const std::string& key, const std::string& message) = 0;
  virtual void clash(std::initializer_list<std::string> keys, const std::string& message) = 0;
};

struct KindSchema {
  std::string name;
  std::string summary;
  // Built-in keys of the family's section ("algorithm.local_steps") that only this kind uses.
  std::vector<std::string> keys;
  // Keys this kind adds to its family's section (null: none), with their defaults.
  std::shared_ptr<const OptionSet> options;
  // The kind's own rules (null: none); runs after the per-key checks.
  std::function<void(const RunConfig&, KeyChecker&)> check;
};

struct ConfigSchema {
  std::vector<KindSchema> algorithms;  // [algorithm] kind
  std::vector<KindSchema> models;      // [model] arch
  std::vector<std::string> datasets;   // [data] dataset
  std::vector<std::string> features;   // trainer features the workflow may rely on
  // Reading a finished run's config for its model and data (the analysis, which does not link
  // the algorithms): [algorithm] is read but its kind and its kinds' keys are not checked.
  bool algorithms_unchecked = false;
};

// The registered kind called `name` (Kind has a .schema), else std::invalid_argument listing
// the registered ones: "algorithm.kind: unknown algorithm 'x' (expected a, b)".
template <class Kind>
const Kind& find_registered(const std::vector<Kind>& kinds, const std::string& name, const std::string& key,
                            const std::string& noun) {
  std::string known;
  for (const auto& kind : kinds) {
    if (kind.schema.name == name) return kind;
    known += (known.empty() ? "" : ", ") + kind.schema.name;
  }
  throw std::invalid_argument(key + ": unknown " + noun + " '" + name + "' (expected " + known + ")");
}

}  // namespace localsgd
