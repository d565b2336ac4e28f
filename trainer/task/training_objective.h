// Defines TrainingObjective: a task's whole training objective as a function of the model's
// flat parameter vector, with its minimum found by a solver that has nothing to do with the
// training run (Newton's method for logistic regression), so that a record's suboptimality
// f(x̄) − f* measures the run against an independent optimum (Figure 6).
#pragma once

#include <torch/torch.h>

namespace localsgd {

class TrainingObjective {
 public:
  virtual ~TrainingObjective() = default;
  // f(parameters): parameters is the model's flat vector (the run's parameter layout).
  virtual double value(const torch::Tensor& parameters) const = 0;
  // f* = min f.
  virtual double minimum() const = 0;
};

}  // namespace localsgd
