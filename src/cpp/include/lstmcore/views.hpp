// Non-owning array views (pointer, shape, strides) through which arrays enter and leave the core.
#pragma once

#include <array>

#include "lstmcore/types.hpp"

namespace lstmcore {

// An N-dimensional strided view of someone else's memory. Strides count elements, not bytes, and
// may be any value (a transposed or sliced NumPy array passes without a copy). A view with
// data == nullptr is "absent" (e.g. no initial state: zeros).
template <class T, int N>
struct View {
  T* data = nullptr;
  std::array<Index, N> shape{};
  std::array<Index, N> strides{};

  bool empty() const { return data == nullptr; }
  Index size() const {
    Index n = 1;
    for (Index s : shape) n *= s;
    return n;
  }
};

template <class T>
using View1 = View<T, 1>;
template <class T>
using View3 = View<T, 3>;

// A C-contiguous view of data with the given shape.
template <class T, int N>
View<T, N> contiguous_view(T* data, const std::array<Index, N>& shape) {
  View<T, N> v;
  v.data = data;
  v.shape = shape;
  Index stride = 1;
  for (int d = N - 1; d >= 0; --d) {
    v.strides[d] = stride;
    stride *= shape[d];
  }
  return v;
}

}  // namespace lstmcore
