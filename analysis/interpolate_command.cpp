#include "interpolate_command.h"

#include <nlohmann/json.hpp>

#include <sstream>

#include "analysis_error.h"
#include "csv_writer.h"
#include "landscape/interpolation.h"
#include "loss_options.h"
#include "staged_outputs.h"

namespace localsgd::analysis {

const char* const kInterpolateUsage =
    "  interpolate --out PREFIX [--from A (-0.5)] [--to A (1.5)] [--points N (21)]\n"
    "      [--statistics interpolate|reestimate] [--test-samples N (0 = all)] LOSS OPTIONS\n"
    "      LABEL_A=RUN_DIR[,...] LABEL_B=RUN_DIR[,...]\n"
    "    loss and accuracy along (1 - a) w_A + a w_B, the i-th run of A with the i-th of B;\n"
    "    PREFIX.csv, PREFIX.jsonl.\n";

namespace {

bool same_shapes(Model& a, Model& b) {
  const auto pa = a.named_parameters(), pb = b.named_parameters();
  if (pa.size() != pb.size()) return false;
  for (size_t i = 0; i < pa.size(); ++i)
    if (pa[i].key() != pb[i].key() || !pa[i].value().sizes().equals(pb[i].value().sizes())) return false;
  return true;
}

struct InterpolateOptions {
  std::string out;
  std::vector<SeriesSpec> series;
  LossOptions loss;
  double from = -0.5, to = 1.5;
  int points = 21;
  std::string statistics = "interpolate";
  std::int64_t test_samples = 0;
};

InterpolateOptions parse(const std::vector<std::string>& args) {
  std::vector<std::string> allowed = {"out", "from", "to", "points", "statistics", "test-samples"};
  allowed.insert(allowed.end(), std::begin(kLossOptionNames), std::end(kLossOptionNames));
  const ParsedArguments p = parse_arguments(args, allowed);
  InterpolateOptions o;
  o.out = p.text("out", "");
  o.series = p.series;
  if (o.series.size() != 2 || o.series[0].run_dirs.size() != o.series[1].run_dirs.size())
    throw UsageError("interpolate needs two series with as many runs each (LABEL_A=... LABEL_B=...)");
  o.loss = parse_loss_options(p);
  o.from = p.number("from", o.from);
  o.to = p.number("to", o.to);
  o.points = static_cast<int>(p.count("points", o.points, 2));
  if (!(o.from < o.to)) throw UsageError("--from must be below --to");
  o.statistics = p.text("statistics", o.statistics);
  require_one_of<UsageError>("--statistics", o.statistics, {"interpolate", "reestimate"});
  o.test_samples = p.count("test-samples", 0);
  return o;
}

void run(const InterpolateOptions& o, std::ostream& log) {
  std::ostringstream csv, jsonl;
  csv << "pair,from_run,to_run,alpha,train_loss,train_accuracy,test_loss,test_accuracy\n";
  const Classification task;
  const std::string pair_name = o.series[0].label + "-" + o.series[1].label;
  check_label(pair_name);
  for (size_t i = 0; i < o.series[0].run_dirs.size(); ++i) {
    const std::string& dir_a = o.series[0].run_dirs[i];
    const std::string& dir_b = o.series[1].run_dirs[i];
    check_label(dir_a);
    check_label(dir_b);
    RunForAnalysis a = load_run_for_analysis(dir_a), b = load_run_for_analysis(dir_b);
    if (!same_shapes(*a.model, *b.model) || a.config.data.dataset != b.config.data.dataset)
      throw AnalysisError(dir_b + "/config.toml: another model or dataset than " + dir_a +
                          "/config.toml; an interpolation needs the same architecture and data");
    RunForAnalysis point = load_run_for_analysis(dir_a);  // the model the path is written into
    if (o.loss.double_precision) a.model->to(torch::kDouble), b.model->to(torch::kDouble);
    const InMemoryImages train(a.data.train), test(a.data.test);
    auto train_loss = training_loss(point, o.loss, task, train);
    FixedLoss test_loss(*point.model, test, task, o.test_samples, o.loss.batch, o.loss.statistics);
    for (int k = 0; k < o.points; ++k) {
      const double alpha = o.from + (o.to - o.from) * k / (o.points - 1);
      interpolate_models(*a.model, *b.model, alpha, *point.model);
      if (o.statistics == "reestimate") reestimate_norm_statistics(*point.model, train, o.loss.samples, o.loss.batch);
      const LossValue tr = train_loss->value(), te = test_loss.value();
      csv << pair_name << "," << dir_a << "," << dir_b << "," << format_number(alpha) << "," << format_number(tr.loss)
          << "," << format_number(tr.accuracy) << "," << format_number(te.loss) << "," << format_number(te.accuracy)
          << "\n";
      jsonl << nlohmann::json{{"pair", pair_name}, {"from_run", dir_a}, {"to_run", dir_b}, {"alpha", alpha},
                              {"statistics", o.statistics}, {"train_samples", train_loss->samples()},
                              {"test_samples", test_loss.samples()}, {"train_loss", tr.loss},
                              {"train_accuracy", tr.accuracy}, {"test_loss", te.loss}, {"test_accuracy", te.accuracy}}
                   .dump()
            << "\n";
    }
    log << "interpolate: " << dir_a << " -> " << dir_b << ": " << o.points << " points\n";
  }
  StagedOutputs outputs(o.out);
  outputs.write(".csv", csv.str());
  outputs.write(".jsonl", jsonl.str());
  outputs.commit({".csv", ".jsonl"});
}

}  // namespace

void run_interpolate_command(const std::vector<std::string>& args, std::ostream& log) { run(parse(args), log); }

}  // namespace localsgd::analysis
