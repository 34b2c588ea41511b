// The table of kernels one ISA provides; dispatch/isa.cpp picks the table of the active ISA.
#pragma once

#include "kernels/gemm_args.hpp"

namespace lstmcore::kernels {

// Elementwise y[i] = f(x[i]) for i < n; x and y may be the same array.
template <class T>
using UnaryArrayFn = void (*)(index_t n, const T* x, T* y);

template <class T>
struct TypedKernels {
  // Single-threaded C = alpha op(A) op(B) + beta C with m, n, k >= 1 and alpha != 0.
  void (*gemm)(const GemmArgs<T>&);
  int gemm_mr;  // micro-tile rows: thread splits of m are multiples of it
  int gemm_nr;  // micro-tile columns: thread splits of n are multiples of it
  // Elements of op(B) packed whole for GemmArgs::packed_b, and the packing of its column
  // panels [p0, p1) (of gemm_nr columns each) into dst, so that threads can share the work.
  index_t (*packed_b_size)(index_t k, index_t n);
  void (*pack_b)(const GemmArgs<T>&, T* dst, index_t p0, index_t p1);
  UnaryArrayFn<T> exp;
  UnaryArrayFn<T> sigmoid;
  UnaryArrayFn<T> tanh;
};

struct KernelTable {
  const char* isa_name;
  TypedKernels<float> f32;
  TypedKernels<double> f64;

  template <class T>
  const TypedKernels<T>& typed() const;
};

template <>
inline const TypedKernels<float>& KernelTable::typed<float>() const {
  return f32;
}
template <>
inline const TypedKernels<double>& KernelTable::typed<double>() const {
  return f64;
}

// One per compiled ISA (the AVX ones only on x86-64 builds that compiled them).
const KernelTable& kernel_table_baseline();
const KernelTable& kernel_table_avx2();
const KernelTable& kernel_table_avx512();

}  // namespace lstmcore::kernels
