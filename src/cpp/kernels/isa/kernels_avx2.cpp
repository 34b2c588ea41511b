// The kernels compiled for AVX2 + FMA; built with those flags only in this file.
#define LSTMCORE_SIMD_LEVEL 1
#include "kernels/kernel_table_impl.hpp"

namespace lstmcore::kernels {

const KernelTable& kernel_table_avx2() { return avx2::make_table("avx2"); }

}  // namespace lstmcore::kernels
