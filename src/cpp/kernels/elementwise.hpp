// Array loops over the vectorized exp / sigmoid / tanh of one ISA.
#pragma once

#include "kernels/gemm_args.hpp"
#include "simd/vmath.hpp"

namespace lstmcore::kernels::LSTMCORE_ISA_NS {

namespace vm = simd::LSTMCORE_ISA_NS;

template <class T, class F>
inline void map_array(index_t n, const T* x, T* y, F f) {
  using V = vm::Vec<T>;
  constexpr int W = V::kWidth;
  index_t i = 0;
  for (; i + W <= n; i += W) f(V::load(x + i)).store(y + i);
  if (i < n) {
    const int rest = static_cast<int>(n - i);
    f(V::load_partial(x + i, rest)).store_partial(y + i, rest);
  }
}

template <class T>
void exp_array(index_t n, const T* x, T* y) {
  map_array(n, x, y, [](vm::Vec<T> v) { return vm::exp(v); });
}
template <class T>
void sigmoid_array(index_t n, const T* x, T* y) {
  map_array(n, x, y, [](vm::Vec<T> v) { return vm::sigmoid(v); });
}
template <class T>
void tanh_array(index_t n, const T* x, T* y) {
  map_array(n, x, y, [](vm::Vec<T> v) { return vm::tanh(v); });
}

}  // namespace lstmcore::kernels::LSTMCORE_ISA_NS
