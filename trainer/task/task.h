// Defines Task: what is being learned, as far as the loop and the evaluation need to know: the
// training loss of a batch's model outputs and the per-batch tallies its metrics are made of
// (summed loss and correct predictions for classification; a language model's tokens are
// another task), and for a convex problem the whole objective with its minimum. The loop and
// the evaluation call only this; the dataset says which task its labels define (data_kinds.h).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>

#include "data/sample_source.h"
#include "task/training_objective.h"

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
  // The whole training objective, with its minimum, where the task has one that a solver can
  // find (a convex problem, whose records then carry the suboptimality); null otherwise.
  // `l2`: the L2 term's coefficient, optimizer.weight_decay (SGD's decay is its gradient).
  virtual std::unique_ptr<TrainingObjective> training_objective(const SampleSource& /*train*/, double /*l2*/) const {
    return nullptr;
  }
};

// Image classification: cross-entropy over logits, top-1 accuracy.
class Classification : public Task {
 public:
  torch::Tensor loss(const torch::Tensor& outputs, const torch::Tensor& targets) const override;
  double correct(const torch::Tensor& outputs, const torch::Tensor& targets) const override;
  double loss_sum(const torch::Tensor& outputs, const torch::Tensor& targets) const override;
};

// Binary classification by one logit z per sample (class 1 when z > 0): the logistic loss
// log(1 + exp(-y z)) with y = +1 for class 1 and -1 for class 0. With a linear model, the
// training objective is L2-regularised logistic regression, convex, with its minimum from
// Newton's method (task/logistic_objective.h).
class BinaryLogistic : public Task {
 public:
  torch::Tensor loss(const torch::Tensor& outputs, const torch::Tensor& targets) const override;
  double correct(const torch::Tensor& outputs, const torch::Tensor& targets) const override;
  double loss_sum(const torch::Tensor& outputs, const torch::Tensor& targets) const override;
  std::unique_ptr<TrainingObjective> training_objective(const SampleSource& train, double l2) const override;
};

}  // namespace localsgd
