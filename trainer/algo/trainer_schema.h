// Defines trainer_schema(): the ConfigSchema of this build, from the algorithm and model
// registries and the dataset readers. load_config() without a schema checks against it, and
// localsgd-train --describe prints it (describe_json) for the workflow, the one source of truth
// for kinds and their keys.
#pragma once

#include <string>

#include "config/schema.h"

namespace localsgd {

const ConfigSchema& trainer_schema();

// The schema and every key's type and default, as the JSON the workflow reads
// (workflow/trainer_description.json).
std::string describe_json(const ConfigSchema& schema);

}  // namespace localsgd
