// Vec<float>/Vec<double> on AVX-512 (F+DQ+BW+VL): 16 floats or 8 doubles per register.
#pragma once

#include <immintrin.h>

#include <cstdint>

#if !defined(_MSC_VER) && (!defined(__AVX512F__) || !defined(__AVX512DQ__) || !defined(__AVX512BW__) || \
    !defined(__AVX512VL__) || !defined(__FMA__))
#error "vec_avx512.hpp needs -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma"
#endif

namespace lstmcore::simd::avx512 {

template <class T>
struct Vec;

// ---------------------------------------------------------------------------------------------
// float x 16
// ---------------------------------------------------------------------------------------------
template <>
struct Vec<float> {
  using Scalar = float;
  using Mask = __mmask16;
  static constexpr int kWidth = 16;
  // Added to an integer-valued n in [-127, 128] so that the low mantissa bits hold n + 127.
  static constexpr float kExponentMagic = 8388608.0f + 127.0f;
  __m512 v;

  static Vec load(const float* p) { return {_mm512_loadu_ps(p)}; }
  static Vec load_partial(const float* p, int n) {
    return {_mm512_maskz_loadu_ps(tail_mask(n), p)};
  }
  void store(float* p) const { _mm512_storeu_ps(p, v); }
  void store_partial(float* p, int n) const { _mm512_mask_storeu_ps(p, tail_mask(n), v); }
  // Lanes p[i * stride]; stride * 15 must fit an int32 (the core bounds sizes to 2^24).
  static Vec gather(const float* p, std::int64_t stride) {
    const __m512i idx = _mm512_mullo_epi32(_mm512_set1_epi32(static_cast<int>(stride)),
                                           _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                                             11, 12, 13, 14, 15));
    return {_mm512_i32gather_ps(idx, p, 4)};
  }
  // The first n lanes gathered, the rest zero (nothing read for them).
  static Vec gather_partial(const float* p, std::int64_t stride, int n) {
    const __m512i idx = _mm512_mullo_epi32(_mm512_set1_epi32(static_cast<int>(stride)),
                                           _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                                             11, 12, 13, 14, 15));
    return {_mm512_mask_i32gather_ps(_mm512_setzero_ps(), tail_mask(n), idx, p, 4)};
  }
  static Vec set1(float x) { return {_mm512_set1_ps(x)}; }
  static Vec zero() { return {_mm512_setzero_ps()}; }
  static Mask tail_mask(int n) { return static_cast<Mask>((1u << n) - 1u); }
};

inline Vec<float> operator+(Vec<float> a, Vec<float> b) { return {_mm512_add_ps(a.v, b.v)}; }
inline Vec<float> operator-(Vec<float> a, Vec<float> b) { return {_mm512_sub_ps(a.v, b.v)}; }
inline Vec<float> operator*(Vec<float> a, Vec<float> b) { return {_mm512_mul_ps(a.v, b.v)}; }
inline Vec<float> operator/(Vec<float> a, Vec<float> b) { return {_mm512_div_ps(a.v, b.v)}; }
inline Vec<float> operator-(Vec<float> a) {
  return {_mm512_castsi512_ps(
      _mm512_xor_si512(_mm512_castps_si512(a.v), _mm512_set1_epi32(INT32_MIN)))};
}
// a * b + c, one rounding.
inline Vec<float> fma(Vec<float> a, Vec<float> b, Vec<float> c) {
  return {_mm512_fmadd_ps(a.v, b.v, c.v)};
}
// c - a * b, one rounding.
inline Vec<float> fnma(Vec<float> a, Vec<float> b, Vec<float> c) {
  return {_mm512_fnmadd_ps(a.v, b.v, c.v)};
}
inline Vec<float> min(Vec<float> a, Vec<float> b) { return {_mm512_min_ps(a.v, b.v)}; }
inline Vec<float> max(Vec<float> a, Vec<float> b) { return {_mm512_max_ps(a.v, b.v)}; }
inline Vec<float> abs(Vec<float> a) {
  return {_mm512_castsi512_ps(
      _mm512_and_si512(_mm512_castps_si512(a.v), _mm512_set1_epi32(INT32_MAX)))};
}
// |mag| with the sign bit of sgn.
inline Vec<float> copysign(Vec<float> mag, Vec<float> sgn) {
  // ternary logic 0xCA is "A ? B : C" bitwise: sign bit from sgn, the rest from mag
  return {_mm512_castsi512_ps(_mm512_ternarylogic_epi32(_mm512_set1_epi32(INT32_MIN),
                                                        _mm512_castps_si512(sgn.v),
                                                        _mm512_castps_si512(mag.v), 0xCA))};
}
inline __mmask16 lt(Vec<float> a, Vec<float> b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_LT_OQ); }
inline __mmask16 gt(Vec<float> a, Vec<float> b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_GT_OQ); }
inline __mmask16 is_nan(Vec<float> a) { return _mm512_cmp_ps_mask(a.v, a.v, _CMP_UNORD_Q); }
inline __mmask16 mask_or(__mmask16 a, __mmask16 b) { return static_cast<__mmask16>(a | b); }
// m ? a : b, per lane.
inline Vec<float> select(__mmask16 m, Vec<float> a, Vec<float> b) {
  return {_mm512_mask_blend_ps(m, b.v, a.v)};
}
// Bits of y shifted left into the exponent field: 2^n when y = n + kExponentMagic.
inline Vec<float> shift_into_exponent(Vec<float> y) {
  return {_mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(y.v), 23))};
}
inline float reduce_add(Vec<float> a) { return _mm512_reduce_add_ps(a.v); }

// ---------------------------------------------------------------------------------------------
// double x 8
// ---------------------------------------------------------------------------------------------
template <>
struct Vec<double> {
  using Scalar = double;
  using Mask = __mmask8;
  static constexpr int kWidth = 8;
  static constexpr double kExponentMagic = 4503599627370496.0 + 1023.0;
  __m512d v;

  static Vec load(const double* p) { return {_mm512_loadu_pd(p)}; }
  static Vec load_partial(const double* p, int n) {
    return {_mm512_maskz_loadu_pd(tail_mask(n), p)};
  }
  void store(double* p) const { _mm512_storeu_pd(p, v); }
  void store_partial(double* p, int n) const { _mm512_mask_storeu_pd(p, tail_mask(n), v); }
  static Vec gather(const double* p, std::int64_t stride) {
    const __m256i idx = _mm256_mullo_epi32(_mm256_set1_epi32(static_cast<int>(stride)),
                                           _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return {_mm512_i32gather_pd(idx, p, 8)};
  }
  static Vec gather_partial(const double* p, std::int64_t stride, int n) {
    const __m256i idx = _mm256_mullo_epi32(_mm256_set1_epi32(static_cast<int>(stride)),
                                           _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return {_mm512_mask_i32gather_pd(_mm512_setzero_pd(), tail_mask(n), idx, p, 8)};
  }
  static Vec set1(double x) { return {_mm512_set1_pd(x)}; }
  static Vec zero() { return {_mm512_setzero_pd()}; }
  static Mask tail_mask(int n) { return static_cast<Mask>((1u << n) - 1u); }
};

inline Vec<double> operator+(Vec<double> a, Vec<double> b) { return {_mm512_add_pd(a.v, b.v)}; }
inline Vec<double> operator-(Vec<double> a, Vec<double> b) { return {_mm512_sub_pd(a.v, b.v)}; }
inline Vec<double> operator*(Vec<double> a, Vec<double> b) { return {_mm512_mul_pd(a.v, b.v)}; }
inline Vec<double> operator/(Vec<double> a, Vec<double> b) { return {_mm512_div_pd(a.v, b.v)}; }
inline Vec<double> operator-(Vec<double> a) {
  return {_mm512_castsi512_pd(
      _mm512_xor_si512(_mm512_castpd_si512(a.v), _mm512_set1_epi64(INT64_MIN)))};
}
inline Vec<double> fma(Vec<double> a, Vec<double> b, Vec<double> c) {
  return {_mm512_fmadd_pd(a.v, b.v, c.v)};
}
inline Vec<double> fnma(Vec<double> a, Vec<double> b, Vec<double> c) {
  return {_mm512_fnmadd_pd(a.v, b.v, c.v)};
}
inline Vec<double> min(Vec<double> a, Vec<double> b) { return {_mm512_min_pd(a.v, b.v)}; }
inline Vec<double> max(Vec<double> a, Vec<double> b) { return {_mm512_max_pd(a.v, b.v)}; }
inline Vec<double> abs(Vec<double> a) {
  return {_mm512_castsi512_pd(
      _mm512_and_si512(_mm512_castpd_si512(a.v), _mm512_set1_epi64(INT64_MAX)))};
}
inline Vec<double> copysign(Vec<double> mag, Vec<double> sgn) {
  return {_mm512_castsi512_pd(_mm512_ternarylogic_epi64(_mm512_set1_epi64(INT64_MIN),
                                                        _mm512_castpd_si512(sgn.v),
                                                        _mm512_castpd_si512(mag.v), 0xCA))};
}
inline __mmask8 lt(Vec<double> a, Vec<double> b) { return _mm512_cmp_pd_mask(a.v, b.v, _CMP_LT_OQ); }
inline __mmask8 gt(Vec<double> a, Vec<double> b) { return _mm512_cmp_pd_mask(a.v, b.v, _CMP_GT_OQ); }
inline __mmask8 is_nan(Vec<double> a) { return _mm512_cmp_pd_mask(a.v, a.v, _CMP_UNORD_Q); }
inline __mmask8 mask_or(__mmask8 a, __mmask8 b) { return static_cast<__mmask8>(a | b); }
inline Vec<double> select(__mmask8 m, Vec<double> a, Vec<double> b) {
  return {_mm512_mask_blend_pd(m, b.v, a.v)};
}
inline Vec<double> shift_into_exponent(Vec<double> y) {
  return {_mm512_castsi512_pd(_mm512_slli_epi64(_mm512_castpd_si512(y.v), 52))};
}
inline double reduce_add(Vec<double> a) { return _mm512_reduce_add_pd(a.v); }

}  // namespace lstmcore::simd::avx512
