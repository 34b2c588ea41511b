// The kernels compiled for the portable baseline (the compiler's default target flags).
#define LSTMCORE_SIMD_LEVEL 0
#include "kernels/kernel_table_impl.hpp"

namespace lstmcore::kernels {

const KernelTable& kernel_table_baseline() { return baseline::make_table("baseline"); }

}  // namespace lstmcore::kernels
