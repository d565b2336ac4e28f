// Defines the sign compressor the sign methods share (Bernstein et al. 2018; Karimireddy et al.
// 2019; Lin et al.'s Algorithms 3 and 4): per worker and per layer l of the parameter layout,
//   C(v)_l = (‖v_l‖₁ / n_l) sign(v_l)
// (the scale keeps the step's size; plain sign methods send sign(v) alone), and the bytes such a
// payload takes on the wire: one bit per value, packed, plus one float32 scale per layer.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "models/parameter_layout.h"

namespace localsgd {

// rows: [workers, P]; returns C(rows) row by row.
torch::Tensor scaled_sign(const torch::Tensor& rows, const ParameterLayout& layout);
// Bytes of one worker's packed signs (ceil(P / 8)), plus 4 per layer when `scaled`.
std::int64_t sign_payload_bytes(const ParameterLayout& layout, bool scaled);

}  // namespace localsgd
