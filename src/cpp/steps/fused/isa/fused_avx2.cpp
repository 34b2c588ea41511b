// The fused step kernels compiled for avx2 (this file alone gets that ISA's flags).
#define LSTMCORE_SIMD_LEVEL 1
#include "steps/fused/fused_isa.hpp"

namespace lstmcore::detail::fused {

const Ops<float>& ops_f32_avx2() { return avx2::table<float>(); }
const Ops<double>& ops_f64_avx2() { return avx2::table<double>(); }

}  // namespace lstmcore::detail::fused
