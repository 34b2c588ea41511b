// Vec<float>/Vec<double> on AVX2 + FMA: 8 floats or 4 doubles per register.
#pragma once

#include <immintrin.h>

#include <cstdint>

#if !defined(_MSC_VER) && (!defined(__AVX2__) || !defined(__FMA__))
#error "vec_avx2.hpp needs -mavx2 -mfma"
#endif

namespace lstmcore::simd::avx2 {

template <class T>
struct Vec;

// Lane masks are full-width vectors with all bits set in the selected lanes.
struct MaskF32 {
  __m256 m;
};
struct MaskF64 {
  __m256d m;
};

// ---------------------------------------------------------------------------------------------
// float x 8
// ---------------------------------------------------------------------------------------------
template <>
struct Vec<float> {
  using Scalar = float;
  using Mask = MaskF32;
  static constexpr int kWidth = 8;
  static constexpr float kExponentMagic = 8388608.0f + 127.0f;
  __m256 v;

  static Vec load(const float* p) { return {_mm256_loadu_ps(p)}; }
  static Vec load_partial(const float* p, int n) {
    return {_mm256_maskload_ps(p, tail_mask(n))};
  }
  void store(float* p) const { _mm256_storeu_ps(p, v); }
  void store_partial(float* p, int n) const { _mm256_maskstore_ps(p, tail_mask(n), v); }
  // Lanes p[i * stride]; stride * 7 must fit an int32 (the core bounds sizes to 2^24).
  static Vec gather(const float* p, std::int64_t stride) {
    const __m256i idx = _mm256_mullo_epi32(_mm256_set1_epi32(static_cast<int>(stride)),
                                           _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return {_mm256_i32gather_ps(p, idx, 4)};
  }
  // The first n lanes gathered, the rest zero (nothing read for them).
  static Vec gather_partial(const float* p, std::int64_t stride, int n) {
    const __m256i idx = _mm256_mullo_epi32(_mm256_set1_epi32(static_cast<int>(stride)),
                                           _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return {_mm256_mask_i32gather_ps(_mm256_setzero_ps(), p, idx,
                                     _mm256_castsi256_ps(tail_mask(n)), 4)};
  }
  static Vec set1(float x) { return {_mm256_set1_ps(x)}; }
  static Vec zero() { return {_mm256_setzero_ps()}; }
  static __m256i tail_mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
};

inline Vec<float> operator+(Vec<float> a, Vec<float> b) { return {_mm256_add_ps(a.v, b.v)}; }
inline Vec<float> operator-(Vec<float> a, Vec<float> b) { return {_mm256_sub_ps(a.v, b.v)}; }
inline Vec<float> operator*(Vec<float> a, Vec<float> b) { return {_mm256_mul_ps(a.v, b.v)}; }
inline Vec<float> operator/(Vec<float> a, Vec<float> b) { return {_mm256_div_ps(a.v, b.v)}; }
inline Vec<float> operator-(Vec<float> a) {
  return {_mm256_xor_ps(a.v, _mm256_set1_ps(-0.0f))};
}
inline Vec<float> fma(Vec<float> a, Vec<float> b, Vec<float> c) {
  return {_mm256_fmadd_ps(a.v, b.v, c.v)};
}
inline Vec<float> fnma(Vec<float> a, Vec<float> b, Vec<float> c) {
  return {_mm256_fnmadd_ps(a.v, b.v, c.v)};
}
inline Vec<float> min(Vec<float> a, Vec<float> b) { return {_mm256_min_ps(a.v, b.v)}; }
inline Vec<float> max(Vec<float> a, Vec<float> b) { return {_mm256_max_ps(a.v, b.v)}; }
inline Vec<float> abs(Vec<float> a) { return {_mm256_andnot_ps(_mm256_set1_ps(-0.0f), a.v)}; }
inline Vec<float> copysign(Vec<float> mag, Vec<float> sgn) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  return {_mm256_or_ps(_mm256_andnot_ps(sign, mag.v), _mm256_and_ps(sign, sgn.v))};
}
inline MaskF32 lt(Vec<float> a, Vec<float> b) { return {_mm256_cmp_ps(a.v, b.v, _CMP_LT_OQ)}; }
inline MaskF32 gt(Vec<float> a, Vec<float> b) { return {_mm256_cmp_ps(a.v, b.v, _CMP_GT_OQ)}; }
inline MaskF32 is_nan(Vec<float> a) { return {_mm256_cmp_ps(a.v, a.v, _CMP_UNORD_Q)}; }
inline MaskF32 mask_or(MaskF32 a, MaskF32 b) { return {_mm256_or_ps(a.m, b.m)}; }
inline Vec<float> select(MaskF32 m, Vec<float> a, Vec<float> b) {
  return {_mm256_blendv_ps(b.v, a.v, m.m)};
}
inline Vec<float> shift_into_exponent(Vec<float> y) {
  return {_mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(y.v), 23))};
}
inline float reduce_add(Vec<float> a) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(a.v), _mm256_extractf128_ps(a.v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// ---------------------------------------------------------------------------------------------
// double x 4
// ---------------------------------------------------------------------------------------------
template <>
struct Vec<double> {
  using Scalar = double;
  using Mask = MaskF64;
  static constexpr int kWidth = 4;
  static constexpr double kExponentMagic = 4503599627370496.0 + 1023.0;
  __m256d v;

  static Vec load(const double* p) { return {_mm256_loadu_pd(p)}; }
  static Vec load_partial(const double* p, int n) {
    return {_mm256_maskload_pd(p, tail_mask(n))};
  }
  void store(double* p) const { _mm256_storeu_pd(p, v); }
  void store_partial(double* p, int n) const { _mm256_maskstore_pd(p, tail_mask(n), v); }
  static Vec gather(const double* p, std::int64_t stride) {
    const __m128i idx = _mm_mullo_epi32(_mm_set1_epi32(static_cast<int>(stride)),
                                        _mm_setr_epi32(0, 1, 2, 3));
    return {_mm256_i32gather_pd(p, idx, 8)};
  }
  static Vec gather_partial(const double* p, std::int64_t stride, int n) {
    const __m128i idx = _mm_mullo_epi32(_mm_set1_epi32(static_cast<int>(stride)),
                                        _mm_setr_epi32(0, 1, 2, 3));
    return {_mm256_mask_i32gather_pd(_mm256_setzero_pd(), p, idx,
                                     _mm256_castsi256_pd(tail_mask(n)), 8)};
  }
  static Vec set1(double x) { return {_mm256_set1_pd(x)}; }
  static Vec zero() { return {_mm256_setzero_pd()}; }
  static __m256i tail_mask(int n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
  }
};

inline Vec<double> operator+(Vec<double> a, Vec<double> b) { return {_mm256_add_pd(a.v, b.v)}; }
inline Vec<double> operator-(Vec<double> a, Vec<double> b) { return {_mm256_sub_pd(a.v, b.v)}; }
inline Vec<double> operator*(Vec<double> a, Vec<double> b) { return {_mm256_mul_pd(a.v, b.v)}; }
inline Vec<double> operator/(Vec<double> a, Vec<double> b) { return {_mm256_div_pd(a.v, b.v)}; }
inline Vec<double> operator-(Vec<double> a) {
  return {_mm256_xor_pd(a.v, _mm256_set1_pd(-0.0))};
}
inline Vec<double> fma(Vec<double> a, Vec<double> b, Vec<double> c) {
  return {_mm256_fmadd_pd(a.v, b.v, c.v)};
}
inline Vec<double> fnma(Vec<double> a, Vec<double> b, Vec<double> c) {
  return {_mm256_fnmadd_pd(a.v, b.v, c.v)};
}
inline Vec<double> min(Vec<double> a, Vec<double> b) { return {_mm256_min_pd(a.v, b.v)}; }
inline Vec<double> max(Vec<double> a, Vec<double> b) { return {_mm256_max_pd(a.v, b.v)}; }
inline Vec<double> abs(Vec<double> a) { return {_mm256_andnot_pd(_mm256_set1_pd(-0.0), a.v)}; }
inline Vec<double> copysign(Vec<double> mag, Vec<double> sgn) {
  const __m256d sign = _mm256_set1_pd(-0.0);
  return {_mm256_or_pd(_mm256_andnot_pd(sign, mag.v), _mm256_and_pd(sign, sgn.v))};
}
inline MaskF64 lt(Vec<double> a, Vec<double> b) { return {_mm256_cmp_pd(a.v, b.v, _CMP_LT_OQ)}; }
inline MaskF64 gt(Vec<double> a, Vec<double> b) { return {_mm256_cmp_pd(a.v, b.v, _CMP_GT_OQ)}; }
inline MaskF64 is_nan(Vec<double> a) { return {_mm256_cmp_pd(a.v, a.v, _CMP_UNORD_Q)}; }
inline MaskF64 mask_or(MaskF64 a, MaskF64 b) { return {_mm256_or_pd(a.m, b.m)}; }
inline Vec<double> select(MaskF64 m, Vec<double> a, Vec<double> b) {
  return {_mm256_blendv_pd(b.v, a.v, m.m)};
}
inline Vec<double> shift_into_exponent(Vec<double> y) {
  return {_mm256_castsi256_pd(_mm256_slli_epi64(_mm256_castpd_si256(y.v), 52))};
}
inline double reduce_add(Vec<double> a) {
  __m128d s = _mm_add_pd(_mm256_castpd256_pd128(a.v), _mm256_extractf128_pd(a.v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

}  // namespace lstmcore::simd::avx2
