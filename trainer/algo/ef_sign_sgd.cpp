// EF-signSGD (Karimireddy et al. 2019), the error-feedback sign method of Lin et al.'s Table 4.
// Every step each worker compresses its step plus what earlier compressions lost:
//   p_k = γ d_k + e_k;  Δ_k = C(p_k);  e_k ← p_k − Δ_k;  x ← x − mean_k Δ_k
// (d_k the local direction with weight decay and momentum, C the per-layer scaled sign of
// algo/sign_compression.h, e_k the error memory, saved with the run state). The bytes metered
// are C's packed payload: 1 bit per value and a float32 scale per layer.
#include "algo/algorithm_registry.h"
#include "algo/saved_tensor.h"
#include "algo/sign_compression.h"

namespace localsgd {
namespace {

class ErrorFeedbackSignSgd : public Algorithm {
 public:
  std::int64_t local_steps(std::int64_t) const override { return 1; }
  void after_backward(StepContext& c) override {
    if (!error_.defined()) error_ = torch::zeros_like(c.replicas.params);
    const torch::Tensor corrected = c.optimizer.direction(c.replicas.params, c.replicas.grads) * c.lr + error_;
    step_ = scaled_sign(corrected, c.replicas.layout);
    error_.copy_(corrected - step_);
    c.comm.all_reduce(step_, c.comm.groups(CommLevel::kGlobal), ReduceOp::kMean, CommLevel::kGlobal,
                      sign_payload_bytes(c.replicas.layout, true));
  }
  void local_update(StepContext& c) override { c.replicas.params.sub_(step_); }
  void save(torch::serialize::OutputArchive& archive) const override { write_lazy_tensor(archive, "ef_sign_error", error_); }
  void load(torch::serialize::InputArchive& archive) override { error_ = read_lazy_tensor(archive, "ef_sign_error"); }

 private:
  torch::Tensor error_, step_;  // [workers, P]: e_k, and the averaged compressed step
};

}  // namespace

AlgorithmKind error_feedback_sign_sgd_kind() {
  KindSchema schema;
  schema.name = "ef-sign-sgd";
  schema.summary = "EF-signSGD: every step each worker sends the scaled sign of its step plus its error memory, "
                   "keeping what the compression lost";
  return {schema, [](const RunConfig&, const Timeline&) { return std::make_unique<ErrorFeedbackSignSgd>(); }};
}

}  // namespace localsgd
