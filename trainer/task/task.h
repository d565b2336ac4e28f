// Defines Task: what is being learned, as far as the loop and the evaluation need to know: the
// training loss of a batch's model outputs and the per-batch tallies its metrics are made of
// (summed loss and correct predictions for classification; a language model's tokens and a
// convex problem's suboptimality are other tasks). The loop and the evaluation call only this.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>

namespace localsgd {

class Task {
 public:
  virtual ~Task() = default;
  // The mean loss that backward() runs on.
  virtual torch::Tensor loss(const torch::Tensor& outputs, const torch::Tensor& targets) const = 0;
  // Correct predictions of a batch (outputs detached).
  virtual double correct(const torch::Tensor& outputs, const torch::Tensor& targets) const = 0;
  // The loss summed over the batch, for evaluation without autograd.
  virtual double loss_sum(const torch::Tensor& outputs, const torch::Tensor& targets) const = 0;
};

// Image classification: cross-entropy over logits, top-1 accuracy.
class Classification : public Task {
 public:
  torch::Tensor loss(const torch::Tensor& outputs, const torch::Tensor& targets) const override;
  double correct(const torch::Tensor& outputs, const torch::Tensor& targets) const override;
  double loss_sum(const torch::Tensor& outputs, const torch::Tensor& targets) const override;
};

}  // namespace localsgd
