// The `interpolate` subcommand (Lin et al. Figure 4(b)): the 1-D path w(a) = (1 - a) w_A + a w_B
// between the saved models of two runs, the i-th run of series A with the i-th of series B
// (one pair per seed), training and test loss and accuracy at each point; BN statistics
// interpolated with the weights (default) or re-estimated on training batches. Writes
// PREFIX.csv and PREFIX.jsonl, one row per pair and point.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace localsgd::analysis {

extern const char* const kInterpolateUsage;

void run_interpolate_command(const std::vector<std::string>& args, std::ostream& log);

}  // namespace localsgd::analysis
