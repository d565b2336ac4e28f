// Defines derive_seed: every random stream of a run (model init, data order, augmentation
// of worker k, ...) gets its own seed from the run seed, a stream tag and an index, so
// streams never share state and adding one never shifts another.
#pragma once

#include <cstdint>

namespace localsgd {

enum class SeedStream : std::uint64_t { kModelInit = 1, kEpochOrder = 2, kAugment = 3, kGradientNoise = 4,
                                        kSampling = 5, kLabelNoise = 6, kBnRecompute = 7, kStraggler = 8 };

// splitmix64 finaliser over (seed, stream, index): well mixed, platform independent.
inline std::uint64_t derive_seed(std::uint64_t seed, SeedStream stream, std::uint64_t index = 0) {
  std::uint64_t z = seed ^ (static_cast<std::uint64_t>(stream) * 0x9E3779B97F4A7C15ULL);
  z += (index + 1) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return (z ^ (z >> 31)) >> 1;  // keep it positive for APIs taking int64
}

}  // namespace localsgd
