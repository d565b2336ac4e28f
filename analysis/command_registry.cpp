#include "command_registry.h"

#include "command_line.h"
#include "hessian_command.h"
#include "interpolate_command.h"
#include "loss_options.h"
#include "sharpness_command.h"

namespace localsgd::analysis {

namespace {

void curves(const std::vector<std::string>& args, std::ostream& log) { run_curves(parse_curves_arguments(args), log); }
void bars(const std::vector<std::string>& args, std::ostream& log) { run_bars(parse_bars_arguments(args), log); }
void lines(const std::vector<std::string>& args, std::ostream& log) { run_lines(parse_lines_arguments(args), log); }
void evaluate(const std::vector<std::string>& args, std::ostream& log) {
  run_evaluate(parse_evaluate_arguments(args), log);
}

}  // namespace

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"curves",
       "  curves --out PREFIX [--x epoch|step|wall_seconds|modelled_seconds|time_seconds|sync_rounds|samples]\n"
       "      [--y test_accuracy|train_loss|test_loss|train_accuracy] [--title T] [--xlabel L] [--ylabel L]\n"
       "      [--gnuplot PROGRAM] LABEL=RUN_DIR[,RUN_DIR...]...\n"
       "    y averaged over a label's runs (seeds) record by record, band = +-1 sample std.\n",
       curves},
      {"bars",
       "  bars --out PREFIX [--lines linear|log] [--title T] [--xlabel L] [--ylabel L] [--gnuplot PROGRAM]\n"
       "      LABEL=RUN_DIR[,...]...\n"
       "    best_test_accuracy from each run's summary.json, mean +- sample std over seeds. With --lines,\n"
       "    labels are LINE@X: one line per LINE over X (a log2 axis with log), a +-1 std band.\n",
       bars},
      {"lines",
       "  lines --out PREFIX --x FIELD --y FIELD [--std FIELD --seeds FIELD] [--log x|y|xy] [--title T]\n"
       "      [--xlabel L] [--ylabel L] [--gnuplot PROGRAM] LABEL=FILE.jsonl...\n"
       "    FIELD of each record of a JSON-lines file of measurements, one line per file. --std and\n"
       "    --seeds: fields of points that are means over seeds (a band of +- std; 0 and 1 without).\n",
       lines},
      {"evaluate",
       "  evaluate --out PREFIX [--split test|train] [--samples N] LABEL=RUN_DIR[,RUN_DIR...]...\n"
       "    each run's saved model (config.toml + model.pt) on its own data, eval mode; PREFIX.csv/.jsonl.\n",
       evaluate},
      {"hessian", std::string(kHessianUsage) + kLossOptionsUsage, run_hessian_command},
      {"interpolate", kInterpolateUsage, run_interpolate_command},
      {"sharpness", kSharpnessUsage, run_sharpness_command},
  };
  return all;
}

std::string usage() {
  std::string text = "usage: localsgd-analyze COMMAND --out PREFIX [OPTION VALUE]... ARGUMENTS\n";
  for (const Command& c : commands()) text += c.usage;
  text += "Figures: PREFIX.csv, PREFIX.gp (rerun it with gnuplot to restyle), PREFIX.png/.pdf/.svg.\n";
  return text;
}

}  // namespace localsgd::analysis
