#include "models/logistic_regression.h"

#include "models/model_registry.h"

namespace localsgd {

LogisticRegression::LogisticRegression(std::int64_t features)
    : weight_(register_parameter("weight", torch::zeros({1, features}))) {}

torch::Tensor LogisticRegression::forward(const torch::Tensor& inputs) {
  return inputs.reshape({inputs.size(0), -1}).matmul(weight_.t());
}

void LogisticRegression::initialise(at::Generator& /*generator*/) {
  torch::NoGradGuard no_grad;
  weight_.zero_();
}

std::int64_t LogisticRegression::multiply_accumulates(const DataShape& shape) const {
  return shape.channels * shape.height * shape.width;
}

ModelKind logistic_regression_model_kind() {
  KindSchema schema;
  schema.name = "logistic-regression";
  schema.summary = "logistic regression without bias on feature vectors (LIBSVM data), started at w = 0: "
                   "the convex problem of Figure 6, its L2 term optimizer.weight_decay";
  schema.check = [](const RunConfig& c, KeyChecker& check) {
    if (check.present("model.width"))
      check.fail("model.width", "logistic regression has no width to scale: remove the key");
    if (c.data.augment)
      check.clash({"model.arch", "data.augment"}, "feature vectors have no augmentation: set data.augment = false");
  };
  auto make = [](const RunConfig&, const DataShape& shape) -> ModelPtr {
    return std::make_shared<LogisticRegression>(shape.channels * shape.height * shape.width);
  };
  ModelKind kind{schema, make, nullptr};
  kind.inputs = "features";
  return kind;
}

}  // namespace localsgd
