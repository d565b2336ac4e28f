// Defines SampleSource: one split of a dataset as the loop and the evaluation see it, samples
// by index made into a batch of model inputs and targets, with the split's transforms (random
// crop and flip for training, none for evaluation). InMemoryImages serves a Dataset held as
// uint8 tensors; data not held in memory (ImageNet folders) is another SampleSource that reads
// and decodes the samples a batch asks for.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "data/augment.h"
#include "data/data_shape.h"
#include "data/dataset.h"

namespace localsgd {

class SampleSource {
 public:
  virtual ~SampleSource() = default;
  virtual std::int64_t size() const = 0;
  virtual DataShape shape() const = 0;
  // indices: int64 [B]. `augment` applies the training transforms drawn from `generator`.
  virtual Batch batch(const torch::Tensor& indices, bool augment, at::Generator& generator) const = 0;
};

// Holds its own handles to the dataset's tensors (a copy costs nothing), so it outlives the
// Dataset it was made from.
class InMemoryImages : public SampleSource {
 public:
  explicit InMemoryImages(Dataset data) : data_(std::move(data)) {}
  std::int64_t size() const override { return data_.size(); }
  DataShape shape() const override {
    return {data_.channels(), data_.images.size(2), data_.images.size(3), data_.num_classes};
  }
  Batch batch(const torch::Tensor& indices, bool augment, at::Generator& generator) const override {
    return make_batch(data_, indices, augment, generator);
  }

 private:
  Dataset data_;
};

}  // namespace localsgd
