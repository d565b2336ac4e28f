// Post-local SGD (Lin et al., Section 3): mini-batch SGD (parameters averaged every step) until
// the switch, by default the first LR decay, then local SGD with H local steps.
#include "algo/algorithm_registry.h"
#include "algo/periodic_averaging.h"
#include "config/config_problems.h"

namespace localsgd {
namespace {

class PostLocalSgd : public PeriodicAveraging {
 public:
  PostLocalSgd(SyncSchedule schedule, double local_from_epoch)
      : PeriodicAveraging(std::move(schedule)), local_from_epoch_(local_from_epoch) {}
  double local_from_epoch() const override { return local_from_epoch_; }

 private:
  double local_from_epoch_;
};

}  // namespace

// The first step of the local phase: at switch_epoch, else at the first LR decay.
std::int64_t post_local_switch_step(const RunConfig& c, const Timeline& t) {
  const double epoch = c.algorithm.switch_epoch >= 0 ? c.algorithm.switch_epoch : t.first_decay_epoch();
  return std::min(t.first_step_at_epoch(epoch), t.total_steps());
}

AlgorithmKind post_local_sgd_kind() {
  KindSchema schema;
  schema.name = "postlocal";
  schema.summary = "post-local SGD: mini-batch SGD until the switch (the first LR decay), then local SGD";
  schema.keys = {"algorithm.local_steps", "algorithm.switch_epoch"};
  schema.check = [](const RunConfig& c, KeyChecker& check) {
    const std::string show = config_detail::format_number(c.algorithm.switch_epoch);
    if (check.present("algorithm.switch_epoch")) {
      if (c.algorithm.switch_epoch >= c.run.epochs)
        check.clash({"algorithm.switch_epoch", "run.epochs"},
                    "switch_epoch must be before the end of training (got " + show +
                        ", run.epochs = " + config_detail::format_number(c.run.epochs) + ")");
    } else if (c.schedule.decay_at.empty()) {
      check.clash({"algorithm.kind", "schedule.decay_at"},
                  "postlocal switches at the first LR decay by default, but schedule.decay_at is "
                  "empty; set algorithm.switch_epoch");
    }
  };
  auto make = [](const RunConfig& c, const Timeline& t) -> std::unique_ptr<Algorithm> {
    const std::int64_t switch_step = post_local_switch_step(c, t);
    SyncSchedule schedule(t.total_steps(), {{0, constant_local_steps(1)},
                                            {switch_step, constant_local_steps(c.algorithm.local_steps)}});
    return std::make_unique<PostLocalSgd>(std::move(schedule), t.epoch_at(switch_step));
  };
  return {schema, make};
}

}  // namespace localsgd
