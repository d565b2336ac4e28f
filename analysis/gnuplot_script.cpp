#include "gnuplot_script.h"

namespace localsgd::analysis {

namespace {

// Locates the script's directory, reads BASE.csv from it and sets title and labels.
std::string preamble(const std::string& base, const PlotText& text) {
  std::string s =
      "# Written by localsgd-analyze. Restyle freely, then rerun: gnuplot path/to/" + base + ".gp\n"
      "# Reads " + base + ".csv beside this script; writes " + base + ".png, .pdf and .svg beside it.\n"
      "base = " + gnuplot_quote(base) + "\n"
      "dir = \".\"; found = 0\n"
      "do for [i = strlen(ARG0):1:-1] {\n"
      "  if (!found && ARG0[i:i] eq \"/\") { dir = ARG0[1:i-1]; found = 1 }\n"
      "}\n"
      "csv = dir . \"/\" . base . \".csv\"\n"
      "set datafile separator comma\n"
      "set grid\n";
  if (!text.title.empty()) s += "set title " + gnuplot_quote(text.title) + " noenhanced\n";
  s += "set xlabel " + gnuplot_quote(text.xlabel) + " noenhanced\n";
  s += "set ylabel " + gnuplot_quote(text.ylabel) + " noenhanced\n";
  return s;
}

// Draws `plot_command` once per output format.
std::string outputs(const std::string& plot_command) {
  return "set terminal pngcairo size 960,640 font \",12\"\n"
         "set output dir . \"/\" . base . \".png\"\n" + plot_command + "\n"
         "set terminal pdfcairo size 6in,4in font \",10\"\n"
         "set output dir . \"/\" . base . \".pdf\"\n" + plot_command + "\n"
         "set terminal svg size 960,640 dynamic font \",12\"\n"
         "set output dir . \"/\" . base . \".svg\"\n" + plot_command + "\n"
         "unset output\n";
}

}  // namespace

std::string gnuplot_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string curves_script(const std::string& base, const std::vector<std::string>& labels,
                          const PlotText& text, bool key_at_bottom, const std::string& logscale) {
  std::string s = preamble(base, text);
  if (!logscale.empty()) s += "set logscale " + logscale + "\n";
  s += "array labels[" + std::to_string(labels.size()) + "] = [";
  for (size_t i = 0; i < labels.size(); ++i) s += (i ? ", " : "") + gnuplot_quote(labels[i]);
  s += "]\n";
  s += std::string("set key ") + (key_at_bottom ? "bottom" : "top") + " right\n";
  s += "set style fill transparent solid 0.2 noborder\n";
  s += "# CSV columns: 1 series, 2 x, 3 y_mean, 4 y_std, 5 seeds. A band is mean +- std.\n";
  s += "mine(i) = strcol(1) eq labels[i]\n";
  const std::string plot =
      "plot for [i=1:|labels|] csv skip 1 using 2:(mine(i) ? $3-$4 : NaN):(mine(i) ? $3+$4 : NaN) "
      "with filledcurves lc i notitle, \\\n"
      "     for [i=1:|labels|] csv skip 1 using 2:(mine(i) ? $3 : NaN) "
      "with linespoints lc i pt 7 ps 0.5 lw 2 title labels[i] noenhanced";
  return s + outputs(plot);
}

std::string bars_script(const std::string& base, const PlotText& text) {
  std::string s = preamble(base, text);
  s += "set key off\n";
  s += "set style fill solid 0.6 border -1\n";
  s += "set boxwidth 0.6\n";
  s += "set xtics noenhanced\n";
  s += "set yrange [0:*]\n";
  s += "# CSV columns: 1 label, 2 mean, 3 std, 4 seeds.\n";
  const std::string plot =
      "plot csv skip 1 using 0:2:xtic(1) with boxes lc 1, \\\n"
      "     csv skip 1 using 0:2:3 with yerrorbars lc black pt 0 ps 0 lw 1.5";
  return s + outputs(plot);
}

}  // namespace localsgd::analysis
