// The kernels compiled for AVX-512 (F+DQ+BW+VL); built with those flags only in this file.
#define LSTMCORE_SIMD_LEVEL 2
#include "kernels/kernel_table_impl.hpp"

namespace lstmcore::kernels {

const KernelTable& kernel_table_avx512() { return avx512::make_table("avx512"); }

}  // namespace lstmcore::kernels
