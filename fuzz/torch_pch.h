// The fuzz build's precompiled header (cmake/fuzz.cmake): LibTorch dominates compile time.
#pragma once
#include <torch/torch.h>
