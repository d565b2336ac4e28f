// Local signSGD and local EF-signSGD, Lin et al.'s Algorithms 3 and 4 (Tables 4 and 15): local
// SGD whose sync sends a compressed model difference. From the shared model x̃ of the last sync
// (the anchor), worker k takes H local steps to x_k, then
//   Δ_k = x̃ − x_k (+ e_k);  x̃ ← x̃ − mean_k C(Δ_k);  x_k ← x̃;  (e_k ← Δ_k − C(Δ_k))
// with C the per-layer scaled sign (algo/sign_compression.h).
//   local-sign-sgd     (Algorithm 3) a local step is x_k ← x_k − γ sign(d_k), d_k the direction
//                      with weight decay and Nesterov momentum; no error memory
//   local-ef-sign-sgd  (Algorithm 4) a local step is a plain SGD step; the error memory e_k
//                      keeps what C lost
// With algorithm.switch_epoch set, H = 1 until then (the post-local form of Table 4); without
// it, H from the start. BN statistics and momentum follow [algorithm] bn_stats and momentum.
#include "algo/algorithm_registry.h"
#include "algo/saved_tensor.h"
#include "algo/sign_compression.h"
#include "config/config_problems.h"
#include "schedule/sync_schedule.h"

namespace localsgd {
namespace {

class LocalSignSgd : public Algorithm {
 public:
  LocalSignSgd(SyncSchedule schedule, bool error_feedback, double local_from_epoch)
      : schedule_(std::move(schedule)), error_feedback_(error_feedback), local_from_epoch_(local_from_epoch) {}
  std::int64_t local_steps(std::int64_t step) const override { return schedule_.local_steps(step); }
  double local_from_epoch() const override { return local_from_epoch_; }

  void after_backward(StepContext& c) override {
    if (anchor_.defined()) return;
    anchor_ = c.replicas.params[0].clone();  // every replica starts alike
    if (error_feedback_) error_ = torch::zeros_like(c.replicas.params);
  }
  void local_update(StepContext& c) override {
    if (error_feedback_) return Algorithm::local_update(c);
    c.replicas.params.add_(torch::sign(c.optimizer.direction(c.replicas.params, c.replicas.grads)), -c.lr);
  }
  void after_update(StepContext& c) override {
    if (schedule_.after(c.step) == Sync::kNone) return;
    torch::Tensor difference = anchor_.unsqueeze(0) - c.replicas.params;
    if (error_feedback_) difference.add_(error_);
    torch::Tensor compressed = scaled_sign(difference, c.replicas.layout);
    if (error_feedback_) error_.copy_(difference - compressed);
    c.comm.all_reduce(compressed, c.comm.groups(CommLevel::kGlobal), ReduceOp::kMean, CommLevel::kGlobal,
                      sign_payload_bytes(c.replicas.layout, true));
    anchor_.sub_(compressed[0]);
    c.replicas.params.copy_(anchor_.unsqueeze(0).expand_as(c.replicas.params));
    after_parameter_exchange(c, CommLevel::kGlobal);
  }

  void save(torch::serialize::OutputArchive& archive) const override {
    write_lazy_tensor(archive, "local_sign_anchor", anchor_);
    write_lazy_tensor(archive, "local_sign_error", error_);
  }
  void load(torch::serialize::InputArchive& archive) override {
    anchor_ = read_lazy_tensor(archive, "local_sign_anchor");
    error_ = read_lazy_tensor(archive, "local_sign_error");
  }

 private:
  SyncSchedule schedule_;
  bool error_feedback_;
  double local_from_epoch_;
  torch::Tensor anchor_;  // [P]: x̃
  torch::Tensor error_;   // [workers, P]: e_k (error feedback only)
};

AlgorithmKind local_sign_kind(const std::string& name, bool error_feedback, const std::string& summary) {
  KindSchema schema;
  schema.name = name;
  schema.summary = summary;
  schema.keys = {"algorithm.local_steps", "algorithm.switch_epoch"};
  schema.check = [](const RunConfig& c, KeyChecker& check) {
    if (check.present("algorithm.switch_epoch") && c.algorithm.switch_epoch >= c.run.epochs)
      check.clash({"algorithm.switch_epoch", "run.epochs"},
                  "switch_epoch must be before the end of training (got " +
                      config_detail::format_number(c.algorithm.switch_epoch) +
                      ", run.epochs = " + config_detail::format_number(c.run.epochs) + ")");
  };
  auto make = [error_feedback](const RunConfig& c, const Timeline& t) -> std::unique_ptr<Algorithm> {
    const std::int64_t h = c.algorithm.local_steps;
    if (c.algorithm.switch_epoch < 0)
      return std::make_unique<LocalSignSgd>(SyncSchedule(t.total_steps(), {{0, constant_local_steps(h)}}),
                                            error_feedback, -1.0);
    const std::int64_t from = std::min(t.first_step_at_epoch(c.algorithm.switch_epoch), t.total_steps());
    SyncSchedule schedule(t.total_steps(), {{0, constant_local_steps(1)}, {from, constant_local_steps(h)}});
    return std::make_unique<LocalSignSgd>(std::move(schedule), error_feedback, t.epoch_at(from));
  };
  return {schema, make};
}

}  // namespace

AlgorithmKind local_sign_sgd_kind() {
  return local_sign_kind("local-sign-sgd", false,
                         "local signSGD (Lin et al.'s Algorithm 3): local sign steps; every H steps the workers "
                         "average the scaled signs of their model differences");
}

AlgorithmKind local_ef_sign_sgd_kind() {
  return local_sign_kind("local-ef-sign-sgd", true,
                         "local EF-signSGD (Lin et al.'s Algorithm 4): local SGD steps; every H steps the workers "
                         "average the scaled signs of their model differences plus error memory");
}

}  // namespace localsgd
