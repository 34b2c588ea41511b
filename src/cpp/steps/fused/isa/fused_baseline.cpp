// The fused step kernels compiled for baseline (this file alone gets that ISA's flags).
#define LSTMCORE_SIMD_LEVEL 0
#include "steps/fused/fused_isa.hpp"

namespace lstmcore::detail::fused {

const Ops<float>& ops_f32_baseline() { return baseline::table<float>(); }
const Ops<double>& ops_f64_baseline() { return baseline::table<double>(); }

}  // namespace lstmcore::detail::fused
