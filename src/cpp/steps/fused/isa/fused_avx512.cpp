// The fused step kernels compiled for avx512 (this file alone gets that ISA's flags).
#define LSTMCORE_SIMD_LEVEL 2
#include "steps/fused/fused_isa.hpp"

namespace lstmcore::detail::fused {

const Ops<float>& ops_f32_avx512() { return avx512::table<float>(); }
const Ops<double>& ops_f64_avx512() { return avx512::table<double>(); }

}  // namespace lstmcore::detail::fused
