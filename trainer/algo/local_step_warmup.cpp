// Local SGD with local-step warm-up (Lin et al., Section 4 and Appendix, Figures 10 and 11): H
// grows from 1 to algorithm.local_steps over the first local_steps_warmup_epochs epochs, then
// stays, so that the early, fast-changing phase of training averages often. Shapes:
//   linear       H = 1 + floor((H_max - 1) e / E)
//   exponential  H = 2^floor(log2(H_max) e / E)   (1, 2, 4, ...; the ImageNet ramp of Figure 8)
//   constant     H = H_max from the start (plain local SGD)
// at epoch e of a warm-up of E epochs, each capped at H_max. The sync points follow H as it
// changes (SyncSchedule counts from the previous sync point).
#include <cmath>

#include "algo/algorithm_registry.h"
#include "algo/periodic_averaging.h"
#include "config/config_problems.h"

namespace localsgd {
namespace {

struct LocalStepWarmupOptions {
  std::string local_steps_warmup = "linear";  // linear | exponential | constant
  double local_steps_warmup_epochs = 1.0;
};

template <class V>
void visit_fields(LocalStepWarmupOptions& o, V& v) {
  v("local_steps_warmup", o.local_steps_warmup);
  v("local_steps_warmup_epochs", o.local_steps_warmup_epochs);
}

const char* kKind = "local-warmup";

}  // namespace

// H at epoch `epoch` of a warm-up of `epochs` epochs to `h_max`.
std::int64_t warmed_up_local_steps(const std::string& shape, double epoch, double epochs, std::int64_t h_max) {
  if (shape == "constant" || epoch >= epochs) return h_max;
  const double progress = epoch / epochs;
  std::int64_t h = 1;
  if (shape == "linear") h = 1 + static_cast<std::int64_t>(std::floor((h_max - 1) * progress));
  else if (shape == "exponential") h = std::int64_t{1} << static_cast<int>(std::floor(std::log2(static_cast<double>(h_max)) * progress));
  return std::min(std::max<std::int64_t>(h, 1), h_max);
}

AlgorithmKind local_step_warmup_kind() {
  KindSchema schema;
  schema.name = kKind;
  schema.summary = "local SGD whose H grows from 1 to local_steps over local_steps_warmup_epochs (linear, exponential or constant)";
  schema.keys = {"algorithm.local_steps"};
  schema.options = std::make_shared<OptionsOf<LocalStepWarmupOptions>>();
  schema.check = [](const RunConfig& c, KeyChecker& check) {
    const auto o = options_for<LocalStepWarmupOptions>(c, "algorithm", kKind);
    if (o.local_steps_warmup != "linear" && o.local_steps_warmup != "exponential" && o.local_steps_warmup != "constant")
      check.fail("algorithm.local_steps_warmup",
                 "'" + o.local_steps_warmup + "' is not one of linear, exponential, constant");
    if (!(o.local_steps_warmup_epochs > 0 && o.local_steps_warmup_epochs < c.run.epochs))
      check.clash({"algorithm.local_steps_warmup_epochs", "run.epochs"},
                  "must be in (0, run.epochs) (got " + config_detail::format_number(o.local_steps_warmup_epochs) +
                      ", run.epochs = " + config_detail::format_number(c.run.epochs) + ")");
  };
  auto make = [](const RunConfig& c, const Timeline& t) -> std::unique_ptr<Algorithm> {
    const auto o = options_for<LocalStepWarmupOptions>(c, "algorithm", kKind);
    const std::int64_t h_max = c.algorithm.local_steps;
    // The schedule keeps H(step) for local_steps(): it holds its own copy of the timeline.
    LocalStepsFn h = [o, h_max, t](std::int64_t step) {
      return warmed_up_local_steps(o.local_steps_warmup, t.epoch_at(step), o.local_steps_warmup_epochs, h_max);
    };
    return std::make_unique<PeriodicAveraging>(SyncSchedule(t.total_steps(), {{0, h}}));
  };
  return {schema, make};
}

}  // namespace localsgd
