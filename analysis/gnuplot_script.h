// Writes self-contained gnuplot scripts. A script finds its own directory from ARG0, reads
// BASE.csv there and writes BASE.png, BASE.pdf and BASE.svg beside it, so a reader can restyle
// it and rerun `gnuplot path/to/BASE.gp` from any working directory.
#pragma once

#include <string>
#include <vector>

namespace localsgd::analysis {

struct PlotText {
  std::string title, xlabel, ylabel;
};

// Mean curves with a shaded +-1 std band per series; the key goes where the curves usually are
// not (bottom right for accuracies, top right for losses). `logscale`: "", "x", "y" or "xy".
std::string curves_script(const std::string& base, const std::vector<std::string>& labels,
                          const PlotText& text, bool key_at_bottom, const std::string& logscale = "");

// One bar per label (mean) with a +-1 std error bar, from a CSV "label,mean,std,seeds".
std::string bars_script(const std::string& base, const PlotText& text);

// A gnuplot double-quoted string literal.
std::string gnuplot_quote(const std::string& text);

}  // namespace localsgd::analysis
