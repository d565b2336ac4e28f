// Decentralized parallel SGD (D-PSGD; Lian et al. 2017), which Zhang et al. set against
// synchronous SGD at large batch and learning rate: no all-reduce, every step each worker mixes
// its parameters with its neighbours' through a doubly stochastic matrix W (communicator mix()):
//   mix_order = "concurrent"  x_k ← Σ_j W_kj x_j − γ d_k(x_k)   (Lian et al., Zhang et al.: the
//                             gradient at the unmixed point, so mixing overlaps the backward pass)
//   mix_order = "after-step"  x_k ← Σ_j W_kj (x_j − γ d_j(x_j))  (adapt, then combine)
// with d_k the worker's direction (weight decay and momentum, kept local). topology = "ring"
// (W_kk = W_k,k±1 = 1/3, K ≥ 3) or "complete" (W = 1/K: after-step is then mini-batch SGD's
// averaged model). BN statistics are mixed as well under bn_stats = "average". The weight spread
// Σ_k ‖x_k − x̄‖² goes to the records with run.record_weight_spread.
#include "algo/algorithm_registry.h"
#include "comm/mixing_matrix.h"
#include "config/config_problems.h"

namespace localsgd {
namespace {

struct GossipOptions {
  std::string topology = "ring";        // ring | complete
  std::string mix_order = "concurrent";  // concurrent | after-step
};

template <class V>
void visit_fields(GossipOptions& o, V& v) {
  v("topology", o.topology);
  v("mix_order", o.mix_order);
}

const char* kKind = "dpsgd";

class GossipSgd : public Algorithm {
 public:
  GossipSgd(MixingMatrix weights, bool concurrent) : weights_(std::move(weights)), concurrent_(concurrent) {}
  std::int64_t local_steps(std::int64_t) const override { return 1; }

  void after_backward(StepContext& c) override {
    if (!concurrent_) return;
    direction_ = &c.optimizer.direction(c.replicas.params, c.replicas.grads);  // at the unmixed x_k
    mix(c);
  }
  void local_update(StepContext& c) override {
    if (!concurrent_) return Algorithm::local_update(c);
    c.replicas.params.add_(*direction_, -c.lr);
  }
  void after_update(StepContext& c) override {
    if (!concurrent_) mix(c);
  }

 private:
  void mix(StepContext& c) {
    c.comm.mix(c.replicas.params, weights_);
    if (c.policy.bn_stats == BnStatsPolicy::kAverage) c.comm.mix(c.replicas.bn_stats, weights_);
  }
  MixingMatrix weights_;
  bool concurrent_;
  const torch::Tensor* direction_ = nullptr;  // the optimizer's, valid until its next direction()
};

}  // namespace

AlgorithmKind gossip_sgd_kind() {
  KindSchema schema;
  schema.name = kKind;
  schema.summary = "decentralized parallel SGD (D-PSGD): every step each worker mixes its parameters with its "
                   "neighbours' (ring or complete graph) instead of an all-reduce";
  schema.options = std::make_shared<OptionsOf<GossipOptions>>();
  schema.check = [](const RunConfig& c, KeyChecker& check) {
    const auto o = options_for<GossipOptions>(c, "algorithm", kKind);
    if (o.topology != "ring" && o.topology != "complete")
      check.fail("algorithm.topology", "'" + o.topology + "' is not one of ring, complete");
    else if (o.topology == "ring" && c.algorithm.workers < 3)
      check.clash({"algorithm.topology", "algorithm.workers"},
                  "a ring needs at least 3 workers (got " + std::to_string(c.algorithm.workers) + ")");
    if (o.mix_order != "concurrent" && o.mix_order != "after-step")
      check.fail("algorithm.mix_order", "'" + o.mix_order + "' is not one of concurrent, after-step");
    if (c.algorithm.momentum != "local")
      check.clash({"algorithm.momentum", "algorithm.kind"},
                  "dpsgd keeps momentum local (got momentum = " + c.algorithm.momentum + ")");
  };
  auto make = [](const RunConfig& c, const Timeline&) -> std::unique_ptr<Algorithm> {
    const auto o = options_for<GossipOptions>(c, "algorithm", kKind);
    const int k = static_cast<int>(c.algorithm.workers);
    return std::make_unique<GossipSgd>(o.topology == "ring" ? MixingMatrix::ring(k) : MixingMatrix::complete(k),
                                       o.mix_order == "concurrent");
  };
  return {schema, make};
}

}  // namespace localsgd
