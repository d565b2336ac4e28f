// Local SGD with slow momentum: SlowMo (Wang et al. 2020, Algorithm 1), which Ortiz et al. (2021)
// run over local SGD, and, with slow_lr = 1, the global (block) momentum on the averaged model
// difference of Lin et al.'s Table 8. Every H steps the workers average their parameters to x̄;
// from the parameters x at the previous sync point (the anchor) and the base learning rate γ:
//   u ← β u + (x − x̄) / γ        the slow momentum buffer (slow_momentum = β)
//   x ← x − α γ u                the new anchor, every worker's parameters (slow_lr = α)
// α = 1, β = 0 gives x = x̄: plain local SGD (up to rounding). The base optimizer's own momentum is
// the local momentum; [algorithm] momentum says whether a sync averages or resets it.
#include "algo/algorithm_registry.h"
#include "algo/periodic_averaging.h"
#include "algo/saved_tensor.h"
#include "config/config_problems.h"

namespace localsgd {
namespace {

struct SlowMomentumOptions {
  double slow_momentum = 0.5;  // β: Wang et al.'s CIFAR-10 runs use 0.5 to 0.7
  double slow_lr = 1.0;        // α
};

template <class V>
void visit_fields(SlowMomentumOptions& o, V& v) {
  v("slow_momentum", o.slow_momentum);
  v("slow_lr", o.slow_lr);
}

const char* kKind = "slowmo";

class SlowMomentum : public PeriodicAveraging {
 public:
  SlowMomentum(SyncSchedule schedule, SlowMomentumOptions options)
      : PeriodicAveraging(std::move(schedule)), options_(options) {}

  // Before the first update: the starting point is the first anchor (every replica starts alike).
  void after_backward(StepContext& c) override {
    if (anchor_.defined()) return;
    anchor_ = c.replicas.params[0].clone();
    buffer_ = torch::zeros_like(anchor_);
  }

  void after_update(StepContext& c) override {
    PeriodicAveraging::after_update(c);
    if (schedule().after(c.step) != Sync::kGlobal) return;
    const torch::Tensor averaged = c.replicas.params[0];  // every row alike after the average
    if (c.lr > 0) {
      buffer_.mul_(options_.slow_momentum).add_(anchor_ - averaged, 1.0 / c.lr);
      anchor_.sub_(buffer_, options_.slow_lr * c.lr);
    } else {
      anchor_.copy_(averaged);  // a zero learning rate moves nothing: no displacement to scale
    }
    c.replicas.params.copy_(anchor_.unsqueeze(0).expand_as(c.replicas.params));
  }

  void save(torch::serialize::OutputArchive& archive) const override {
    write_lazy_tensor(archive, "slowmo_anchor", anchor_);
    write_lazy_tensor(archive, "slowmo_buffer", buffer_);
  }
  void load(torch::serialize::InputArchive& archive) override {
    anchor_ = read_lazy_tensor(archive, "slowmo_anchor");
    buffer_ = read_lazy_tensor(archive, "slowmo_buffer");
  }

 private:
  SlowMomentumOptions options_;
  torch::Tensor anchor_, buffer_;  // [P]: the parameters at the last sync point, and u
};

}  // namespace

AlgorithmKind slow_momentum_kind() {
  KindSchema schema;
  schema.name = kKind;
  schema.summary = "local SGD with slow momentum (SlowMo; slow_lr = 1: global momentum): every H steps the averaged "
                   "model difference drives a momentum buffer that moves the shared model";
  schema.keys = {"algorithm.local_steps"};
  schema.options = std::make_shared<OptionsOf<SlowMomentumOptions>>();
  schema.check = [](const RunConfig& c, KeyChecker& check) {
    const auto o = options_for<SlowMomentumOptions>(c, "algorithm", kKind);
    if (!(o.slow_momentum >= 0 && o.slow_momentum < 1))
      check.fail("algorithm.slow_momentum",
                 "must be in [0, 1) (got " + config_detail::format_number(o.slow_momentum) + ")");
    if (!(o.slow_lr > 0))
      check.fail("algorithm.slow_lr", "must be > 0 (got " + config_detail::format_number(o.slow_lr) + ")");
  };
  auto make = [](const RunConfig& c, const Timeline& t) -> std::unique_ptr<Algorithm> {
    return std::make_unique<SlowMomentum>(
        SyncSchedule(t.total_steps(), {{0, constant_local_steps(c.algorithm.local_steps)}}),
        options_for<SlowMomentumOptions>(c, "algorithm", kKind));
  };
  return {schema, make};
}

}  // namespace localsgd
