// Picks the fused step kernels of the active ISA (the same choice as the GEMM's, dispatch/isa).
#include "dispatch/isa.hpp"
#include "steps/fused/fused.hpp"

namespace lstmcore::detail::fused {

namespace {

template <class T>
struct PerIsa;
template <>
struct PerIsa<float> {
  static const Ops<float>& baseline() { return ops_f32_baseline(); }
#if defined(LSTMCORE_HAVE_AVX2)
  static const Ops<float>& avx2() { return ops_f32_avx2(); }
#endif
#if defined(LSTMCORE_HAVE_AVX512)
  static const Ops<float>& avx512() { return ops_f32_avx512(); }
#endif
};
template <>
struct PerIsa<double> {
  static const Ops<double>& baseline() { return ops_f64_baseline(); }
#if defined(LSTMCORE_HAVE_AVX2)
  static const Ops<double>& avx2() { return ops_f64_avx2(); }
#endif
#if defined(LSTMCORE_HAVE_AVX512)
  static const Ops<double>& avx512() { return ops_f64_avx512(); }
#endif
};

}  // namespace

template <class T>
const Ops<T>& active_ops() {
  switch (dispatch::active_isa()) {
#if defined(LSTMCORE_HAVE_AVX512)
    case dispatch::Isa::kAvx512:
      return PerIsa<T>::avx512();
#endif
#if defined(LSTMCORE_HAVE_AVX2)
    case dispatch::Isa::kAvx2:
      return PerIsa<T>::avx2();
#endif
    default:
      break;
  }
  return PerIsa<T>::baseline();
}

template const Ops<float>& active_ops<float>();
template const Ops<double>& active_ops<double>();

}  // namespace lstmcore::detail::fused
