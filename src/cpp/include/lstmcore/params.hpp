// Parameter sets as views: one entry per layer-direction, pointers to C-contiguous arrays.
#pragma once

#include <vector>

#include "lstmcore/spec.hpp"
#include "lstmcore/types.hpp"

namespace lstmcore {

// One layer-direction's parameters (DESIGN.md section 4), each C-contiguous row-major; an absent
// parameter is nullptr. T is `const float`/`const double` for inputs, `float`/`double` for the
// gradients that backward writes.
template <class T>
struct LayerParams {
  T* weight_ih = nullptr;        // [G*H, I_k]
  T* weight_hh = nullptr;        // [G*H, P]
  T* bias_ih = nullptr;          // [G*H]     (bias only)
  T* bias_hh = nullptr;          // [G*H]     (bias only)
  T* weight_hr = nullptr;        // [P, H]    (proj_size > 0 only)
  T* weight_peephole = nullptr;  // [n*H]     (peephole only; rows i, f, o or, coupled, f, o)
};

// All layer-directions of a stack: entry layer * D + direction (direction 1 = "_reverse").
template <class T>
struct ParamSet {
  std::vector<LayerParams<T>> entries;

  ParamSet() = default;
  explicit ParamSet(const RNNSpec& spec)
      : entries(static_cast<std::size_t>(spec.num_layers * spec.num_directions())) {}

  LayerParams<T>& at(Index layer, Index direction, Index num_directions) {
    return entries[static_cast<std::size_t>(layer * num_directions + direction)];
  }
  const LayerParams<T>& at(Index layer, Index direction, Index num_directions) const {
    return entries[static_cast<std::size_t>(layer * num_directions + direction)];
  }
};

}  // namespace lstmcore
