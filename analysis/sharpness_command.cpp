#include "sharpness_command.h"

#include <nlohmann/json.hpp>

#include <sstream>

#include "analysis_error.h"
#include "csv_writer.h"
#include "landscape/directions.h"
#include "landscape/epsilon_sharpness.h"
#include "loss_options.h"
#include "models/parameter_layout.h"
#include "staged_outputs.h"

namespace localsgd::analysis {

const char* const kSharpnessUsage =
    "  sharpness --out PREFIX [--directions N (10)] [--radius R (1)] [--points N (21)]\n"
    "      [--epsilon E[,E...] (1e-3,5e-4); none to skip] [--lbfgs-iterations N (10)] LOSS OPTIONS\n"
    "      LABEL=RUN_DIR[,RUN_DIR...]...\n"
    "    training loss along filter-normalised random directions (Li et al. 2018) from -R to R,\n"
    "    and Keskar et al.'s epsilon-sharpness (full space, L-BFGS-B); PREFIX.csv, PREFIX.jsonl,\n"
    "    PREFIX.curve.jsonl (the mean over directions, one record per step).\n";

namespace {

struct SharpnessOptions {
  std::string out;
  std::vector<SeriesSpec> series;
  LossOptions loss;
  int directions = 10, points = 21, lbfgs_iterations = 10;
  double radius = 1;
  std::vector<double> epsilons = {1e-3, 5e-4};
};

std::vector<double> parse_epsilons(const std::string& text) {
  std::vector<double> values;
  if (text == "none") return values;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    std::size_t used = 0;
    double value = 0;
    try {
      value = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || !(value > 0))
      throw UsageError("--epsilon: expected positive numbers separated by commas, or none; got '" + text + "'");
    values.push_back(value);
  }
  return values;
}

SharpnessOptions parse(const std::vector<std::string>& args) {
  std::vector<std::string> allowed = {"out", "directions", "radius", "points", "epsilon", "lbfgs-iterations"};
  allowed.insert(allowed.end(), std::begin(kLossOptionNames), std::end(kLossOptionNames));
  const ParsedArguments p = parse_arguments(args, allowed);
  SharpnessOptions o;
  o.out = p.text("out", "");
  o.series = p.series;
  o.loss = parse_loss_options(p);
  o.directions = static_cast<int>(p.count("directions", o.directions));
  o.points = static_cast<int>(p.count("points", o.points, 2));
  o.radius = p.number("radius", o.radius);
  if (!(o.radius > 0)) throw UsageError("--radius must be > 0");
  o.lbfgs_iterations = static_cast<int>(p.count("lbfgs-iterations", o.lbfgs_iterations, 1));
  if (p.options.count("epsilon")) o.epsilons = parse_epsilons(p.options.at("epsilon"));
  return o;
}

void run(const SharpnessOptions& o, std::ostream& log) {
  std::ostringstream csv, jsonl, curve;
  csv << "label,run,direction,alpha,train_loss,train_accuracy\n";
  for_each_run_loss(o.series, o.loss, [&](AnalysedRun& run) {
      const std::string& label = run.label;
      const std::string& dir = run.dir;
      FixedLoss* const loss = &run.loss;
      const ParameterLayout layout = ParameterLayout::of(*run.saved.model);
      const torch::Tensor centre = loss->parameters();
      const LossValue at = loss->value();
      std::vector<double> alphas, mean_loss(o.points, 0.0), mean_accuracy(o.points, 0.0);
      for (int k = 0; k < o.points; ++k) alphas.push_back(-o.radius + 2 * o.radius * k / (o.points - 1));
      for (int d = 0; d < o.directions; ++d) {
        const torch::Tensor direction = filter_normalised_direction(layout, centre, o.loss.seed + d);
        for (int k = 0; k < o.points; ++k) {
          loss->set_parameters(centre + alphas[k] * direction);
          const LossValue v = loss->value();
          mean_loss[k] += v.loss / o.directions;
          mean_accuracy[k] += v.accuracy / o.directions;
          csv << label << "," << dir << "," << d << "," << format_number(alphas[k]) << ","
              << format_number(v.loss) << "," << format_number(v.accuracy) << "\n";
        }
      }
      loss->set_parameters(centre);
      for (int k = 0; k < o.points; ++k)
        curve << nlohmann::json{{"label", label}, {"run", dir}, {"alpha", alphas[k]},
                                {"mean_train_loss", mean_loss[k]}, {"mean_train_accuracy", mean_accuracy[k]}}.dump()
              << "\n";
      nlohmann::json record = {{"label", label}, {"run", dir}, {"samples", loss->samples()},
                               {"seed", o.loss.seed}, {"loss", at.loss}, {"accuracy", at.accuracy},
                               {"directions", o.directions}, {"alpha", alphas},
                               {"mean_train_loss", mean_loss}, {"mean_train_accuracy", mean_accuracy}};
      nlohmann::json keskar = nlohmann::json::array();
      for (const double epsilon : o.epsilons) {
        const EpsilonSharpness s = keskar_sharpness(
            [&](const torch::Tensor& x, torch::Tensor& gradient) {
              loss->set_parameters(x);
              double value = 0;
              gradient = loss->gradient(&value);
              return value;
            },
            centre, epsilon, o.lbfgs_iterations);
        loss->set_parameters(centre);
        keskar.push_back({{"definition", "Keskar et al. 2017, Metric 2.1, A = I"}, {"epsilon", epsilon},
                          {"sharpness_percent", s.sharpness}, {"max_loss", s.max_loss},
                          {"iterations", s.iterations}, {"evaluations", s.evaluations}});
        log << "sharpness: " << dir << ": epsilon " << epsilon << " Keskar sharpness " << s.sharpness << " % ("
            << s.evaluations << " evaluations)\n";
      }
      record["epsilon_sharpness"] = keskar;
      jsonl << record.dump() << "\n";
  });
  StagedOutputs outputs(o.out);
  outputs.write(".csv", csv.str());
  outputs.write(".jsonl", jsonl.str());
  outputs.write(".curve.jsonl", curve.str());
  outputs.commit({".csv", ".jsonl", ".curve.jsonl"});
}

}  // namespace

void run_sharpness_command(const std::vector<std::string>& args, std::ostream& log) { run(parse(args), log); }

}  // namespace localsgd::analysis
