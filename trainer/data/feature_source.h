// Defines InMemoryFeatures: a split of feature vectors with binary or class labels held in
// memory (LIBSVM data), as a SampleSource. Its samples are float [d] vectors, batched to
// [B, d]; there is no augmentation (the config refuses data.augment for such data) and no
// normalisation (the features are used as the file gives them, as convex-optimisation papers do).
#pragma once

#include <torch/torch.h>

#include "data/sample_source.h"

namespace localsgd {

class InMemoryFeatures : public SampleSource {
 public:
  // features: float [N, d]; labels: int64 [N] in [0, classes).
  InMemoryFeatures(torch::Tensor features, torch::Tensor labels, std::int64_t classes)
      : features_(std::move(features)), labels_(std::move(labels)), classes_(classes) {}
  std::int64_t size() const override { return labels_.size(0); }
  DataShape shape() const override { return {features_.size(1), 1, 1, classes_}; }
  Batch batch(const torch::Tensor& indices, bool /*augment*/, at::Generator& /*generator*/) const override {
    return {features_.index_select(0, indices), labels_.index_select(0, indices)};
  }
  const torch::Tensor& features() const { return features_; }
  const torch::Tensor& labels() const { return labels_; }

 private:
  torch::Tensor features_, labels_;
  std::int64_t classes_;
};

}  // namespace localsgd
