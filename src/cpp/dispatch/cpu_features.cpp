// CPU feature detection from cpuid and xgetbv; compiled with the baseline flags only.
#include "dispatch/cpu_features.hpp"

#include <cstdint>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#define LSTMCORE_X86 1
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

namespace lstmcore::dispatch {

#if defined(LSTMCORE_X86)
namespace {

struct CpuidRegs {
  std::uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

CpuidRegs cpuid(std::uint32_t leaf, std::uint32_t subleaf) {
  CpuidRegs r;
#if defined(_MSC_VER)
  int regs[4];
  __cpuidex(regs, static_cast<int>(leaf), static_cast<int>(subleaf));
  r.eax = static_cast<std::uint32_t>(regs[0]);
  r.ebx = static_cast<std::uint32_t>(regs[1]);
  r.ecx = static_cast<std::uint32_t>(regs[2]);
  r.edx = static_cast<std::uint32_t>(regs[3]);
#else
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
#endif
  return r;
}

// XCR0: which register states the OS saves on context switch. Only valid when OSXSAVE is set.
std::uint64_t read_xcr0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  // Encoded by hand so that no -mxsave flag is needed for this file.
  std::uint32_t eax = 0, edx = 0;
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<std::uint64_t>(edx) << 32) | eax;
#endif
}

bool bit(std::uint32_t reg, int n) { return ((reg >> n) & 1u) != 0; }

}  // namespace

CpuFeatures detect_cpu_features() {
  CpuFeatures f;
  const CpuidRegs leaf0 = cpuid(0, 0);
  if (leaf0.eax < 7) return f;
  const CpuidRegs leaf1 = cpuid(1, 0);
  const bool osxsave = bit(leaf1.ecx, 27);
  if (!osxsave) return f;
  const std::uint64_t xcr0 = read_xcr0();
  const bool os_ymm = (xcr0 & 0x6) == 0x6;            // SSE and AVX state
  const bool os_zmm = os_ymm && (xcr0 & 0xE0) == 0xE0;  // opmask, ZMM_Hi256, Hi16_ZMM
  const CpuidRegs leaf7 = cpuid(7, 0);
  const bool avx = bit(leaf1.ecx, 28);
  const bool fma = bit(leaf1.ecx, 12);
  const bool avx2 = bit(leaf7.ebx, 5);
  f.avx2_fma = os_ymm && avx && fma && avx2;
  const bool avx512f = bit(leaf7.ebx, 16);
  const bool avx512dq = bit(leaf7.ebx, 17);
  const bool avx512bw = bit(leaf7.ebx, 30);
  const bool avx512vl = bit(leaf7.ebx, 31);
  f.avx512 = f.avx2_fma && os_zmm && avx512f && avx512dq && avx512bw && avx512vl;
  return f;
}

#else

CpuFeatures detect_cpu_features() { return CpuFeatures{}; }

#endif

}  // namespace lstmcore::dispatch
