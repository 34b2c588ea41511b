// The run-time ISA choice: compiled ISAs x CPU/OS support x LSTMCORE_MAX_ISA x set_max_isa().
#include "dispatch/isa.hpp"

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "dispatch/cpu_features.hpp"

namespace lstmcore::dispatch {

namespace {

constexpr int kNoCap = static_cast<int>(Isa::kAvx512);

std::atomic<int> user_cap{kNoCap};

int env_cap() {
  static const int cap = [] {
    const char* value = std::getenv("LSTMCORE_MAX_ISA");
    if (value == nullptr || *value == '\0') return kNoCap;
    Isa isa;
    if (!parse_isa(value, &isa)) {
      std::fprintf(stderr,
                   "lstmcore: ignoring LSTMCORE_MAX_ISA=%s (expected avx512, avx2 or baseline)\n",
                   value);
      return kNoCap;
    }
    return static_cast<int>(isa);
  }();
  return cap;
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAvx512:
      return "avx512";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kBaseline:
      break;
  }
  return "baseline";
}

bool parse_isa(const std::string& name, Isa* out) {
  std::string lower;
  for (char ch : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (Isa isa : {Isa::kBaseline, Isa::kAvx2, Isa::kAvx512}) {
    if (lower == isa_name(isa)) {
      *out = isa;
      return true;
    }
  }
  return false;
}

Isa best_supported_isa() {
  static const Isa best = [] {
    const CpuFeatures f = detect_cpu_features();
    (void)f;
#if defined(LSTMCORE_HAVE_AVX512)
    if (f.avx512) return Isa::kAvx512;
#endif
#if defined(LSTMCORE_HAVE_AVX2)
    if (f.avx2_fma) return Isa::kAvx2;
#endif
    return Isa::kBaseline;
  }();
  return best;
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::kBaseline, Isa::kAvx2, Isa::kAvx512}) {
    if (static_cast<int>(isa) > static_cast<int>(best_supported_isa())) break;
#if !defined(LSTMCORE_HAVE_AVX2)
    if (isa == Isa::kAvx2) continue;
#endif
    out.push_back(isa);
  }
  return out;
}

Isa active_isa() {
  int level = static_cast<int>(best_supported_isa());
  const int env = env_cap();
  const int user = user_cap.load(std::memory_order_relaxed);
  if (env < level) level = env;
  if (user < level) level = user;
#if !defined(LSTMCORE_HAVE_AVX2)
  // AVX-512 can be compiled without AVX2 only in odd builds; fall to the baseline then.
  if (level == static_cast<int>(Isa::kAvx2)) level = static_cast<int>(Isa::kBaseline);
#endif
  return static_cast<Isa>(level);
}

void set_max_isa(Isa cap) { user_cap.store(static_cast<int>(cap), std::memory_order_relaxed); }

void reset_max_isa() { user_cap.store(kNoCap, std::memory_order_relaxed); }

const kernels::KernelTable& kernels_for(Isa isa) {
  // Never touch a table whose ISA the machine lacks (its code may not even be in the build).
  if (static_cast<int>(isa) > static_cast<int>(best_supported_isa())) isa = best_supported_isa();
  switch (isa) {
#if defined(LSTMCORE_HAVE_AVX512)
    case Isa::kAvx512:
      return kernels::kernel_table_avx512();
#endif
#if defined(LSTMCORE_HAVE_AVX2)
    case Isa::kAvx2:
      return kernels::kernel_table_avx2();
#endif
    default:
      break;
  }
  return kernels::kernel_table_baseline();
}

const kernels::KernelTable& active_kernels() { return kernels_for(active_isa()); }

}  // namespace lstmcore::dispatch
