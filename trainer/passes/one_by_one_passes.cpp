#include "passes/worker_passes.h"

namespace localsgd {

std::vector<PassResult> OneByOnePasses::run(Replicas& replicas, const std::vector<Batch>& batches, const Task& task,
                                            PhaseTimes& times) {
  std::vector<PassResult> results(batches.size());
  for (std::size_t r = 0; r < batches.size(); ++r) {
    torch::Tensor outputs, loss;
    {
      PhaseTimer timer(times, Phase::kForward);
      outputs = replicas.models[r]->forward(batches[r].inputs);
      loss = task.loss(outputs, batches[r].targets);
    }
    {
      PhaseTimer timer(times, Phase::kBackward);
      loss.backward();  // into replicas.grads[r]: the replica's gradients are views of it
    }
    results[r].loss = loss.item<double>();
    results[r].correct = task.correct(outputs.detach(), batches[r].targets);
  }
  return results;
}

}  // namespace localsgd
