// The inter-layer dropout mask, bit for bit the one of python/lstmcore/dropout.py:
//   base = mix(seed + (layer + 1) * 0x9E3779B97F4A7C15)
//   u[n] = (mix(base + n) >> 11) * 2^-53;  keep[n] = u[n] >= p;  scale = T(1 / (1 - p))
// n is the flat index into the layer's time-major output [T, B, D*P] in the caller's batch order.
#pragma once

#include <cstdint>

#include "algorithm/batch_order.hpp"

namespace lstmcore::detail {

inline std::uint64_t splitmix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

inline std::uint64_t dropout_base(std::uint64_t seed, Index layer) {
  return splitmix64(seed + static_cast<std::uint64_t>(layer + 1) * 0x9E3779B97F4A7C15ULL);
}

inline bool dropout_keep(std::uint64_t base, std::uint64_t n, double p) {
  const double u = static_cast<double>(splitmix64(base + n) >> 11) * 0x1.0p-53;
  return u >= p;
}

// data [T, B, W] in core row order *= mask of `layer` (forward and backward use the same).
template <class T>
void apply_dropout(T* data, const BatchOrder& o, Index W, std::uint64_t seed, Index layer,
                   double p) {
  const std::uint64_t base = dropout_base(seed, layer);
  const T scale = static_cast<T>(1.0 / (1.0 - p));
  for (Index t = 0; t < o.T; ++t)
    for (Index j = 0; j < o.B; ++j) {
      T* row = data + (t * o.B + j) * W;
      const auto n0 = static_cast<std::uint64_t>((t * o.B + o.perm[j]) * W);
      for (Index c = 0; c < W; ++c)
        row[c] = row[c] * (dropout_keep(base, n0 + static_cast<std::uint64_t>(c), p) ? scale : T(0));
    }
}

}  // namespace lstmcore::detail
