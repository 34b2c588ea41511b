// What the CPU and the OS support, from cpuid and xgetbv (x86-64; other CPUs report nothing).
#pragma once

namespace lstmcore::dispatch {

struct CpuFeatures {
  bool avx2_fma = false;  // AVX2 + FMA with the OS saving the YMM state
  bool avx512 = false;    // AVX-512 F+DQ+BW+VL with the OS saving the ZMM and mask state
};

CpuFeatures detect_cpu_features();

}  // namespace lstmcore::dispatch
