// Builds the KernelTable of the ISA this translation unit is compiled for (LSTMCORE_SIMD_LEVEL);
// included by exactly one isa_*.cpp per ISA.
#pragma once

#include "kernels/elementwise.hpp"
#include "kernels/gemm_kernel.hpp"
#include "kernels/kernel_table.hpp"

namespace lstmcore::kernels::LSTMCORE_ISA_NS {

template <class T>
constexpr TypedKernels<T> typed_kernels() {
  return TypedKernels<T>{&gemm_single_thread<T>,
                         GemmShape<T>::kMR,
                         GemmShape<T>::kNV * Vec<T>::kWidth,
                         &packed_b_size<T>,
                         &pack_b_whole<T>,
                         &exp_array<T>,
                         &sigmoid_array<T>,
                         &tanh_array<T>};
}

// Only addresses and integers: safe to build at static scope on any CPU.
inline const KernelTable& make_table(const char* name) {
  static const KernelTable table{name, typed_kernels<float>(), typed_kernels<double>()};
  return table;
}

}  // namespace lstmcore::kernels::LSTMCORE_ISA_NS
