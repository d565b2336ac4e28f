#include "hessian_command.h"

#include <nlohmann/json.hpp>

#include <sstream>

#include "analysis_error.h"
#include "csv_writer.h"
#include "hessian/eigenpairs.h"
#include "hessian/spectral_density.h"
#include "hessian/trace_estimate.h"
#include "loss_options.h"
#include "staged_outputs.h"

namespace localsgd::analysis {

const char* const kHessianUsage =
    "  hessian --out PREFIX [--top K (5)] [--method lanczos|power|both] [--tolerance T (1e-4)]\n"
    "      [--power-tolerance T (1e-3)] [--max-iterations N (100)] [--krylov N (Lanczos subspace;\n"
    "      0 = max(2 K + 2, 6))] [--trace-probes N (100; 0 = none)] [--trace-method hutchinson|hutch++\n"
    "      (N products: N probes, or Hutch++'s N / 3 sketch vectors and N / 3 probes of the rest)]\n"
    "      [--density-steps M (100; 0 = none)] [--density-probes N (1)] [--density-points N (1000)]\n"
    "      [--hvp autograd|differences (Hessian-vector products by double backward, or central\n"
    "      differences of the gradient: 2 gradients each, but inaccurate on ReLU networks in float)]\n"
    "      LOSS OPTIONS LABEL=RUN_DIR[,RUN_DIR...]...\n"
    "    the Hessian of the training loss at each saved model: top eigenvalues (Lanczos, power\n"
    "    iteration) with residuals and products, Hutchinson trace +- standard error, spectral density\n"
    "    by stochastic Lanczos quadrature; PREFIX.jsonl, PREFIX.csv + .eigenvalues.jsonl,\n"
    "    PREFIX.density.csv + .density.jsonl (with --density-steps > 0).\n"
    "    LOSS OPTIONS (hessian, interpolate, sharpness):\n";

namespace {

struct HessianOptions {
  std::string out;
  std::vector<SeriesSpec> series;
  LossOptions loss;
  int top = 5;
  std::string method = "both";
  std::string products = "autograd";
  std::string trace_method = "hutchinson";
  double tolerance = 1e-4, power_tolerance = 1e-3;
  int krylov = 0;
  int max_iterations = 100, trace_probes = 100, density_steps = 100, density_probes = 1, density_points = 1000;
};

HessianOptions parse(const std::vector<std::string>& args) {
  std::vector<std::string> allowed = {"out", "top", "method", "tolerance", "power-tolerance", "max-iterations",
                                      "trace-probes", "trace-method", "density-steps", "density-probes", "density-points", "hvp", "krylov"};
  allowed.insert(allowed.end(), std::begin(kLossOptionNames), std::end(kLossOptionNames));
  const ParsedArguments p = parse_arguments(args, allowed);
  HessianOptions o;
  o.out = p.text("out", "");
  o.series = p.series;
  o.loss = parse_loss_options(p);
  o.top = static_cast<int>(p.count("top", o.top, 1));
  o.method = p.text("method", o.method);
  require_one_of<UsageError>("--method", o.method, {"lanczos", "power", "both"});
  o.products = p.text("hvp", o.products);
  require_one_of<UsageError>("--hvp", o.products, {"autograd", "differences"});
  o.tolerance = p.number("tolerance", o.tolerance);
  o.power_tolerance = p.number("power-tolerance", o.power_tolerance);
  if (o.tolerance <= 0 || o.power_tolerance <= 0) throw UsageError("--tolerance and --power-tolerance must be > 0");
  o.max_iterations = static_cast<int>(p.count("max-iterations", o.max_iterations, 1));
  o.krylov = static_cast<int>(p.count("krylov", 0));
  if (o.krylov != 0 && o.krylov <= o.top) throw UsageError("--krylov: the Lanczos subspace must exceed --top");
  o.trace_probes = static_cast<int>(p.count("trace-probes", o.trace_probes));
  if (o.trace_probes == 1) throw UsageError("--trace-probes: 0 (none) or at least 2 (for a standard error)");
  o.trace_method = p.text("trace-method", o.trace_method);
  require_one_of<UsageError>("--trace-method", o.trace_method, {"hutchinson", "hutch++"});
  if (o.trace_method == "hutch++" && o.trace_probes != 0 && (o.trace_probes < 6 || o.trace_probes % 3 != 0))
    throw UsageError("--trace-probes: Hutch++ takes a multiple of 3 products, at least 6, got " +
                     std::to_string(o.trace_probes));
  o.density_steps = static_cast<int>(p.count("density-steps", o.density_steps));
  o.density_probes = static_cast<int>(p.count("density-probes", o.density_probes, 1));
  o.density_points = static_cast<int>(p.count("density-points", o.density_points, 2));
  return o;
}

nlohmann::json describe(const Eigenpairs& pairs) {
  return {{"eigenvalues", pairs.values}, {"residuals", pairs.residuals}, {"products", pairs.products},
          {"converged", pairs.converged}};
}

void run(const HessianOptions& o, std::ostream& log) {
  std::ostringstream jsonl, csv, density_csv, eigen_jsonl, density_jsonl;
  csv << "label,run,method,index,eigenvalue,residual,products\n";
  density_csv << "label,run,eigenvalue,density\n";
  for_each_run_loss(o.series, o.loss, [&](AnalysedRun& run) {
      const std::string& label = run.label;
      const std::string& dir = run.dir;
      FixedLoss* const loss = &run.loss;
      if (o.products == "differences") loss->set_products(HessianProducts::kFiniteDifferences);
      HessianOf hessian(*loss);
      const LossValue at = loss->value();
      nlohmann::json record = {{"label", label}, {"run", dir}, {"samples", loss->samples()},
                               {"parameters", loss->dimension()},
                               {"bn", o.loss.statistics == NormStatistics::kBatch ? "batch" : "running"},
                               {"precision", o.loss.double_precision ? "double" : "float"},
                               {"hvp", o.products}, {"seed", o.loss.seed}, {"loss", at.loss}, {"accuracy", at.accuracy}};
      log << "hessian: " << dir << ": " << loss->dimension() << " parameters, " << loss->samples() << " samples, loss "
          << at.loss << "\n";
      EigenOptions eigen;
      eigen.count = o.top;
      eigen.max_iterations = o.max_iterations;
      eigen.krylov_dimension = o.krylov;
      eigen.seed = o.loss.seed;
      std::vector<Eigenpairs> found;
      if (o.method != "power") {
        eigen.tolerance = o.tolerance;
        found.push_back(lanczos_top(hessian, eigen));
      }
      if (o.method != "lanczos") {
        eigen.tolerance = o.power_tolerance;
        found.push_back(power_iteration_top(hessian, eigen));
      }
      for (const Eigenpairs& pairs : found) {
        record[pairs.method] = describe(pairs);
        for (size_t i = 0; i < pairs.values.size(); ++i) {
          csv << label << "," << dir << "," << pairs.method << "," << i + 1 << "," << format_number(pairs.values[i])
              << "," << format_number(pairs.residuals[i]) << "," << pairs.products << "\n";
          eigen_jsonl << nlohmann::json{{"label", label}, {"run", dir}, {"method", pairs.method},
                                        {"index", i + 1}, {"eigenvalue", pairs.values[i]},
                                        {"residual", pairs.residuals[i]}}.dump() << "\n";
        }
        log << "hessian: " << pairs.method << " top eigenvalue " << pairs.values.front() << " (residual "
            << pairs.residuals.front() << ", " << pairs.products << " products)\n";
      }
      record["top_eigenvalue"] = found.front().values.front();
      if (o.trace_probes > 0) {
        const TraceEstimate trace = o.trace_method == "hutch++"
                                        ? hutch_plus_plus_trace(hessian, o.trace_probes, o.loss.seed + 1000)
                                        : hutchinson_trace(hessian, o.trace_probes, o.loss.seed + 1000);
        record["trace"] = {{"method", trace.method},          {"estimate", trace.trace},
                           {"standard_error", trace.standard_error}, {"probes", trace.samples.size()},
                           {"deflated", trace.deflated},      {"products", trace.products}};
        log << "hessian: trace (" << trace.method << ") " << trace.trace << " +- " << trace.standard_error << "\n";
      }
      if (o.density_steps > 0) {
        const SpectralDensity d = lanczos_quadrature(hessian, o.density_steps, o.density_probes, o.loss.seed + 2000);
        const DensityCurve curve = smoothed_density(d, o.density_points);
        std::vector<double> nodes, weights;
        for (const auto& node : d.nodes) nodes.push_back(node.value), weights.push_back(node.weight);
        record["density"] = {{"steps", o.density_steps}, {"probes", o.density_probes}, {"products", d.products},
                             {"variance", curve.variance}, {"nodes", nodes}, {"weights", weights}};
        for (size_t i = 0; i < curve.grid.size(); ++i) {
          density_csv << label << "," << dir << "," << format_number(curve.grid[i]) << ","
                      << format_number(curve.density[i]) << "\n";
          density_jsonl << nlohmann::json{{"label", label}, {"run", dir}, {"eigenvalue", curve.grid[i]},
                                          {"density", curve.density[i]}}.dump() << "\n";
        }
      }
      record["hessian_products"] = hessian.products();
      jsonl << record.dump() << "\n";
  });
  StagedOutputs outputs(o.out);
  std::vector<std::string> written = {".jsonl", ".csv", ".eigenvalues.jsonl"};
  outputs.write(".jsonl", jsonl.str());
  outputs.write(".csv", csv.str());
  outputs.write(".eigenvalues.jsonl", eigen_jsonl.str());  // one record per point, for `lines`
  if (o.density_steps > 0) {
    outputs.write(".density.csv", density_csv.str());
    outputs.write(".density.jsonl", density_jsonl.str());
    written.insert(written.end(), {".density.csv", ".density.jsonl"});
  }
  outputs.commit(written);
}

}  // namespace

void run_hessian_command(const std::vector<std::string>& args, std::ostream& log) { run(parse(args), log); }

}  // namespace localsgd::analysis
