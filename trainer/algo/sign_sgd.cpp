// signSGD (Bernstein et al. 2018), the compressed mini-batch baseline of Lin et al.'s Tables 4
// and 15. Every step each worker forms its local direction d_k (weight decay and Nesterov
// momentum applied locally, as Lin et al. do) and sends its sign s_k = sign(d_k); every replica
// then takes the same step, so they stay equal:
//   x ← x − γ mean_k s_k       sign_aggregation = "mean": the sign averaging of Algorithm 3 at H = 1
//   x ← x − γ sign(Σ_k s_k)    "majority": Bernstein et al.'s majority vote (a tie gives 0)
// The bytes metered are the packed signs (1 bit per value) reduced as by a ring all-reduce;
// Lin et al.'s code all-gathers them instead.
#include "algo/algorithm_registry.h"
#include "algo/sign_compression.h"
#include "config/config_problems.h"

namespace localsgd {
namespace {

struct SignSgdOptions {
  std::string sign_aggregation = "mean";  // mean | majority
};

template <class V>
void visit_fields(SignSgdOptions& o, V& v) {
  v("sign_aggregation", o.sign_aggregation);
}

class SignSgd : public Algorithm {
 public:
  explicit SignSgd(bool majority) : majority_(majority) {}
  std::int64_t local_steps(std::int64_t) const override { return 1; }
  void after_backward(StepContext& c) override {
    const torch::Tensor& direction = c.optimizer.direction(c.replicas.params, c.replicas.grads);
    if (!signs_.defined()) signs_ = torch::empty_like(direction);
    torch::sign_out(signs_, direction);
    const auto& world = c.comm.groups(CommLevel::kGlobal);
    const auto bytes = sign_payload_bytes(c.replicas.layout, false);
    c.comm.all_reduce(signs_, world, majority_ ? ReduceOp::kSum : ReduceOp::kMean, CommLevel::kGlobal, bytes);
    if (majority_) signs_.sign_();
  }
  void local_update(StepContext& c) override { c.replicas.params.add_(signs_, -c.lr); }

 private:
  bool majority_;
  torch::Tensor signs_;  // [workers, P]: the aggregated step direction
};

}  // namespace

AlgorithmKind sign_sgd_kind() {
  KindSchema schema;
  schema.name = "sign-sgd";
  schema.summary = "signSGD: every step the signs of the workers' directions are averaged (or majority-voted) "
                   "and every replica steps by them";
  schema.options = std::make_shared<OptionsOf<SignSgdOptions>>();
  schema.check = [](const RunConfig& c, KeyChecker& check) {
    const auto o = options_for<SignSgdOptions>(c, "algorithm", "sign-sgd");
    if (o.sign_aggregation != "mean" && o.sign_aggregation != "majority")
      check.fail("algorithm.sign_aggregation", "'" + o.sign_aggregation + "' is not one of mean, majority");
  };
  auto make = [](const RunConfig& c, const Timeline&) -> std::unique_ptr<Algorithm> {
    return std::make_unique<SignSgd>(options_for<SignSgdOptions>(c, "algorithm", "sign-sgd").sign_aggregation == "majority");
  };
  return {schema, make};
}

}  // namespace localsgd
