// Writes the data behind a figure as CSV with a header row: curves as
// "series,x,y_mean,y_std,seeds", one row per averaged record, the rows of a series together.
// Numbers are written in their shortest round-trip form.
#pragma once

#include <string>
#include <vector>

#include "series.h"

namespace localsgd::analysis {

std::string curves_csv(const std::vector<Series>& series);

// Shortest decimal form that reads back as the same double.
std::string format_number(double value);

// Throws AnalysisError unless the label can be a CSV field and a gnuplot string as is
// (non-empty, no comma, quote, backslash or control character).
void check_label(const std::string& label);

}  // namespace localsgd::analysis
