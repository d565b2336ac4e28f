#include "command_line.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "analysis_error.h"
#include "run_reader.h"

namespace localsgd::analysis {

ParsedArguments parse_arguments(const std::vector<std::string>& args, const std::vector<std::string>& allowed) {
  ParsedArguments parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      parsed.series.push_back(parse_series(a));
      continue;
    }
    const std::string name = a.substr(2);
    bool known = false;
    for (const std::string& k : allowed) known = known || k == name;
    if (!known) throw UsageError("unknown option " + a);
    if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
    parsed.options[name] = args[++i];
  }
  if (!parsed.options.count("out")) throw UsageError("--out PREFIX is required");
  if (parsed.series.empty()) throw UsageError("no series given (LABEL=RUN_DIR[,RUN_DIR...])");
  return parsed;
}

std::int64_t ParsedArguments::count(const std::string& name, std::int64_t fallback, std::int64_t minimum) const {
  const auto found = options.find(name);
  if (found == options.end()) return fallback;
  std::size_t used = 0;
  std::int64_t value = 0;
  try {
    value = std::stoll(found->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != found->second.size() || value < minimum)
    throw UsageError("--" + name + ": expected a count >= " + std::to_string(minimum) + ", got '" + found->second + "'");
  return value;
}

double ParsedArguments::number(const std::string& name, double fallback) const {
  const auto found = options.find(name);
  if (found == options.end()) return fallback;
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(found->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != found->second.size() || !std::isfinite(value))
    throw UsageError("--" + name + ": expected a number, got '" + found->second + "'");
  return value;
}

std::string ParsedArguments::text(const std::string& name, const std::string& fallback) const {
  const auto found = options.find(name);
  return found == options.end() ? fallback : found->second;
}

namespace {

void take(std::map<std::string, std::string>& options, const std::string& name, std::string& out) {
  if (options.count(name)) out = options[name];
}

// The options every subcommand has: --out, the labels and the gnuplot program.
template <typename Options>
void take_common(std::map<std::string, std::string>& options, Options& o) {
  take(options, "out", o.out);
  take(options, "title", o.title);
  take(options, "xlabel", o.xlabel);
  take(options, "ylabel", o.ylabel);
  take(options, "gnuplot", o.gnuplot);
}

}  // namespace

SeriesSpec parse_series(const std::string& word) {
  const size_t eq = word.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == word.size())
    throw UsageError("series '" + word + "': expected LABEL=RUN_DIR[,RUN_DIR...]");
  SeriesSpec spec{word.substr(0, eq), {}};
  const std::string dirs = word.substr(eq + 1);
  for (size_t start = 0; start <= dirs.size();) {
    const size_t comma = std::min(dirs.find(',', start), dirs.size());
    if (comma == start) throw UsageError("series '" + word + "': empty run directory");
    spec.run_dirs.push_back(dirs.substr(start, comma - start));
    start = comma + 1;
  }
  return spec;
}

CurvesOptions parse_curves_arguments(const std::vector<std::string>& args) {
  ParsedArguments p = parse_arguments(args, {"out", "x", "y", "title", "xlabel", "ylabel", "gnuplot"});
  CurvesOptions o;
  take_common(p.options, o);
  take(p.options, "x", o.x);
  take(p.options, "y", o.y);
  require_one_of<UsageError>("--x", o.x, x_fields());
  require_one_of<UsageError>("--y", o.y, y_fields());
  o.series = std::move(p.series);
  return o;
}

BarsOptions parse_bars_arguments(const std::vector<std::string>& args) {
  ParsedArguments p = parse_arguments(args, {"out", "title", "xlabel", "ylabel", "gnuplot", "lines"});
  BarsOptions o;
  take_common(p.options, o);
  take(p.options, "lines", o.lines);
  if (!o.lines.empty()) require_one_of<UsageError>("--lines", o.lines, {"linear", "log"});
  o.series = std::move(p.series);
  return o;
}

LinesOptions parse_lines_arguments(const std::vector<std::string>& args) {
  ParsedArguments p =
      parse_arguments(args, {"out", "x", "y", "std", "seeds", "log", "title", "xlabel", "ylabel", "gnuplot"});
  LinesOptions o;
  take_common(p.options, o);
  take(p.options, "x", o.x);
  take(p.options, "y", o.y);
  take(p.options, "std", o.std_field);
  take(p.options, "seeds", o.seeds_field);
  take(p.options, "log", o.log);
  if (o.x.empty() || o.y.empty()) throw UsageError("lines needs --x FIELD and --y FIELD");
  if (!o.log.empty()) require_one_of<UsageError>("--log", o.log, {"x", "y", "xy"});
  o.series = std::move(p.series);
  return o;
}

EvaluateOptions parse_evaluate_arguments(const std::vector<std::string>& args) {
  ParsedArguments p = parse_arguments(args, {"out", "split", "samples"});
  EvaluateOptions o;
  take(p.options, "out", o.out);
  take(p.options, "split", o.split);
  require_one_of<UsageError>("--split", o.split, {"test", "train"});
  o.samples = p.count("samples", 0);
  o.series = std::move(p.series);
  return o;
}

}  // namespace localsgd::analysis
