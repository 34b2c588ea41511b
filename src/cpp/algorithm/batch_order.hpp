// The batch order of the core (rows sorted by decreasing length) and the copies between the
// caller's layout, time order and scan order (see the layout comment in lstmcore/tape.hpp).
#pragma once

#include <algorithm>
#include <vector>

#include "lstmcore/views.hpp"

namespace lstmcore::detail {

struct BatchOrder {
  Index T = 0, B = 0;
  std::vector<Index> perm;     // [B] row j holds the caller's sequence perm[j]
  std::vector<Index> len;      // [B] length of row j
  std::vector<Index> active;   // [T] rows with len > s: the running prefix at scan step s
};

// Sorts rows by decreasing length (stable, so equal lengths keep the caller's order).
// lengths may be nullptr (every sequence is T long; the order is the identity).
BatchOrder make_batch_order(Index T, Index B, const Index* lengths);

// Time index of scan step s for row j in direction d (s < len[j]).
inline Index scan_time(const BatchOrder& o, Index d, Index s, Index j) {
  return d == 0 ? s : o.len[j] - 1 - s;
}

// Whether a view is C-contiguous: the core's own row layout, usable in place.
template <class T>
bool is_contiguous(const View3<T>& v) {
  return v.strides[2] == 1 && v.strides[1] == v.shape[2] && v.strides[0] == v.shape[1] * v.shape[2];
}

// dst[t, j, :] = src[t, perm[j], :] : [T, B, W] caller view -> contiguous core rows.
template <class T>
void load_rows(const View3<const T>& src, const BatchOrder& o, T* dst) {
  const Index W = src.shape[2], cs = src.strides[2];
  for (Index t = 0; t < src.shape[0]; ++t)
    for (Index j = 0; j < o.B; ++j) {
      const T* s = src.data + t * src.strides[0] + o.perm[j] * src.strides[1];
      T* d = dst + (t * o.B + j) * W;
      if (cs == 1) {
        std::copy(s, s + W, d);
      } else {
        for (Index c = 0; c < W; ++c) d[c] = s[c * cs];
      }
    }
}

// dst[t, perm[j], :] = src[t, j, :] : contiguous core rows -> [T, B, W] caller view.
template <class T>
void store_rows(const T* src, const BatchOrder& o, const View3<T>& dst) {
  const Index W = dst.shape[2], cs = dst.strides[2];
  for (Index t = 0; t < dst.shape[0]; ++t)
    for (Index j = 0; j < o.B; ++j) {
      const T* s = src + (t * o.B + j) * W;
      T* d = dst.data + t * dst.strides[0] + o.perm[j] * dst.strides[1];
      if (cs == 1) {
        std::copy(s, s + W, d);
      } else {
        for (Index c = 0; c < W; ++c) d[c * cs] = s[c];
      }
    }
}

// dst[j, :] = state[k, perm[j], :], or zeros when the view is empty.
template <class T>
void load_state(const View3<const T>& state, Index k, const BatchOrder& o, Index W, T* dst) {
  if (state.empty()) {
    std::fill(dst, dst + o.B * W, T(0));
    return;
  }
  for (Index j = 0; j < o.B; ++j) {
    const T* s = state.data + k * state.strides[0] + o.perm[j] * state.strides[1];
    for (Index c = 0; c < W; ++c) dst[j * W + c] = s[c * state.strides[2]];
  }
}

// state[k, perm[j], :] = src[j, :] (nothing when the view is empty).
template <class T>
void store_state(const T* src, const BatchOrder& o, Index W, Index k, const View3<T>& state) {
  if (state.empty()) return;
  for (Index j = 0; j < o.B; ++j) {
    T* d = state.data + k * state.strides[0] + o.perm[j] * state.strides[1];
    for (Index c = 0; c < W; ++c) d[c * state.strides[2]] = src[j * W + c];
  }
}

// Time order -> scan order of direction d: dst[s, j, 0:W] = src[t(s, j), j, col:col+W]
// (src rows have ld columns). Rows past their length are zero.
template <class T>
void gather_scan(const BatchOrder& o, Index d, const T* src, Index ld, Index col, Index W,
                 T* dst) {
  for (Index s = 0; s < o.T; ++s)
    for (Index j = 0; j < o.B; ++j) {
      T* out = dst + (s * o.B + j) * W;
      if (s >= o.len[j]) {
        std::fill(out, out + W, T(0));
        continue;
      }
      const T* in = src + (scan_time(o, d, s, j) * o.B + j) * ld + col;
      std::copy(in, in + W, out);
    }
}

// Scan order -> time order: dst[t(s, j), j, col:col+W] (+)= src[s, j, 0:W] for s < len[j]
// (src rows have lds columns; dst rows ld columns). Positions past each length are untouched.
template <class T>
void scatter_time(const BatchOrder& o, Index d, const T* src, Index lds, Index W, T* dst,
                  Index ld, Index col, bool add) {
  for (Index s = 0; s < o.T; ++s)
    for (Index j = 0; j < o.B && s < o.len[j]; ++j) {
      const T* in = src + (s * o.B + j) * lds;
      T* out = dst + (scan_time(o, d, s, j) * o.B + j) * ld + col;
      if (add) {
        for (Index c = 0; c < W; ++c) out[c] += in[c];
      } else {
        std::copy(in, in + W, out);
      }
    }
}

}  // namespace lstmcore::detail
