// Mini-batch SGD: every step the workers' gradients are averaged, so all replicas take the same
// step on the global batch K x B_loc and stay equal (H = 1).
#include "algo/algorithm_registry.h"

namespace localsgd {
namespace {

class MinibatchSgd : public Algorithm {
 public:
  std::int64_t local_steps(std::int64_t) const override { return 1; }
  void after_backward(StepContext& c) override { average_gradients(c); }
};

}  // namespace

AlgorithmKind minibatch_sgd_kind() {
  KindSchema schema;
  schema.name = "minibatch";
  schema.summary = "mini-batch SGD: gradients averaged over the K workers every step";
  return {schema, [](const RunConfig&, const Timeline&) { return std::make_unique<MinibatchSgd>(); }};
}

}  // namespace localsgd
