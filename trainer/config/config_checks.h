// Defines check_config(): the range, enum and combination rules a RunConfig must satisfy,
// each problem located where the offending key was set. Runs after the TOML values have
// been read into the struct (config.cpp); internal to the config loader.
#pragma once

#include <map>
#include <string>

#include "config/config.h"
#include "config/config_problems.h"

namespace localsgd::config_detail {

// Where a key was set; `bad` once a problem was reported for it, so that combination
// rules do not reason about a value that is already known to be wrong.
struct KeyOrigin {
  Where where;
  bool bad = false;
};

// "section.key" -> origin, for the keys present in the file or overrides only.
using KeyOrigins = std::map<std::string, KeyOrigin>;

// Adds a problem for every rule `config` breaks. `file` locates rules whose keys are all
// absent (cannot happen with the shipped defaults, kept as a fallback).
void check_config(const RunConfig& config, const ConfigSchema& schema, KeyOrigins& origins,
                  const Where& file, ConfigProblems& problems);

// "section.key" -> the key's value as to_toml() writes it (config_writer.cpp): what tells a
// set key from its default.
std::map<std::string, std::string> key_texts(const RunConfig& config);

}  // namespace localsgd::config_detail
