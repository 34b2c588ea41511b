// Vectorized exp, sigmoid and tanh for any Vec<T> of the current ISA (float and double).
//
// Accuracy (measured by tests/cpp_kernels against the C library over dense ranges incl. large
// |x|; see the report printed by lstmcore_kernel_tests): a few ulp in float and double.
// Guarantees: exp overflows to +inf and underflows through the subnormals to +0; sigmoid and
// tanh never produce NaN for finite input and saturate to exactly 0/1 and +-1; NaN propagates.
//
// Method: Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, a near-minimax polynomial for
// expm1(r) (fitted with mpmath's chebyfit on [-0.3466, 0.3466]), scaling by 2^n built in the
// exponent bits. tanh uses expm1 so that it has no cancellation near 0:
// tanh(|x|) = e / (e + 2) with e = expm1(2|x|).
#pragma once

#include <limits>

#include "simd/vec.hpp"

namespace lstmcore::simd::LSTMCORE_ISA_NS {

template <class T>
struct MathConstants;

template <>
struct MathConstants<float> {
  static constexpr float kLog2e = 1.44269504088896341f;
  // ln2 split so that n * kLn2Hi is exact for |n| < 2^8.
  static constexpr float kLn2Hi = 0.693145751953125f;
  static constexpr float kLn2Lo = 1.428606820309417232e-6f;
  // exp(x) is +inf above, 0 below (the smallest subnormal is 2^-149 = exp(-103.28)).
  static constexpr float kExpHi = 88.72283935546875f;
  static constexpr float kExpLo = -104.0f;
  // tanh(x) rounds to 1 for x >= 9.01; 2|x| is clamped here (expm1 stays finite).
  static constexpr float kTanhClamp = 20.0f;
  // q(r) = (expm1(r) - r) / r^2, highest degree first.
  static constexpr int kDegree = 5;
  static constexpr float kQ[kDegree + 1] = {
      1.9890988455544565817e-4f, 1.3933647862928862799e-3f, 8.3333109276153112215e-3f,
      4.1666464944505699265e-2f, 1.666666668162109499e-1f,  5.0000000134638854955e-1f};
};

template <>
struct MathConstants<double> {
  static constexpr double kLog2e = 1.442695040888963407359925;
  // ln2 split so that n * kLn2Hi is exact for |n| < 2^21.
  static constexpr double kLn2Hi = 0.693147180601954460144043;
  static constexpr double kLn2Lo = -4.200915072681084729182343e-11;
  static constexpr double kExpHi = 709.782712893383973096;
  static constexpr double kExpLo = -746.0;
  // tanh(x) rounds to 1 for x >= 19.06.
  static constexpr double kTanhClamp = 40.0;
  static constexpr int kDegree = 10;
  static constexpr double kQ[kDegree + 1] = {
      2.0914685161418067979e-9,  2.5105214474751413747e-8,  2.7557273647451089581e-7,
      2.7557255406285043682e-6,  2.4801587325544319081e-5,  1.9841269874815833107e-4,
      1.3888888888883749283e-3,  8.3333333333261364965e-3,  4.1666666666666669754e-2,
      1.666666666666667099e-1,   5.0e-1};
};

namespace detail {

// Nearest integer for |t| < 2^22 through the magic constant 1.5 * 2^mantissa_bits (the addition
// rounds away the fraction; needs round-to-nearest mode, the C++ default).
template <class V>
inline V round_nearest(V t) {
  using T = typename V::Scalar;
  const V magic = V::set1(sizeof(T) == 4 ? T(12582912.0) : T(6755399441055744.0));
  return (t + magic) - magic;
}

// expm1(r) for |r| <= ln2/2 (slightly more is fine).
template <class V>
inline V expm1_reduced(V r) {
  using T = typename V::Scalar;
  using C = MathConstants<T>;
  V q = V::set1(C::kQ[0]);
  for (int i = 1; i <= C::kDegree; ++i) q = fma(q, r, V::set1(C::kQ[i]));
  return fma(r * r, q, r);
}

// Splits finite x into an integer-valued n and r = x - n ln2, |r| <= ln2/2.
template <class V>
inline V reduce(V x, V& n) {
  using T = typename V::Scalar;
  using C = MathConstants<T>;
  n = round_nearest(x * V::set1(C::kLog2e));
  const V r = fnma(n, V::set1(C::kLn2Hi), x);
  return fnma(n, V::set1(C::kLn2Lo), r);
}

// 2^n for integer-valued n with a normal result.
template <class V>
inline V pow2(V n) {
  return shift_into_exponent(n + V::set1(V::kExponentMagic));
}

}  // namespace detail

// e^x.
template <class V>
inline V exp(V x) {
  using T = typename V::Scalar;
  using C = MathConstants<T>;
  const V hi = V::set1(C::kExpHi);
  const V xc = min(max(x, V::set1(C::kExpLo)), hi);
  V n;
  const V r = detail::reduce(xc, n);
  const V p = detail::expm1_reduced(r) + V::set1(T(1));
  // 2^n as two normal factors 2^n1 * 2^(n - n1), n1 = floor(n / 2), so that results in the
  // subnormal range round once, in the last product.
  const V n1 = detail::round_nearest(n * V::set1(T(0.5)) - V::set1(T(0.25)));
  V y = (p * detail::pow2(n1)) * detail::pow2(n - n1);
  y = select(gt(x, hi), V::set1(std::numeric_limits<T>::infinity()), y);
  return select(is_nan(x), x, y);
}

// 1 / (1 + e^-x), without overflow: with e = exp(-|x|) <= 1, 1/(1+e) for x >= 0, e/(1+e) else.
template <class V>
inline V sigmoid(V x) {
  using T = typename V::Scalar;
  const V e = exp(-abs(x));
  const V s = V::set1(T(1)) / (V::set1(T(1)) + e);
  return select(lt(x, V::zero()), e * s, s);
}

// tanh(x) = sign(x) e / (e + 2), e = expm1(2|x|) >= 0 (no cancellation near 0).
template <class V>
inline V tanh(V x) {
  using T = typename V::Scalar;
  using C = MathConstants<T>;
  const V t = min(abs(x) * V::set1(T(2)), V::set1(C::kTanhClamp));
  V n;
  const V r = detail::reduce(t, n);
  const V scale = detail::pow2(n);
  const V em = fma(scale, detail::expm1_reduced(r), scale - V::set1(T(1)));
  const V y = copysign(em / (em + V::set1(T(2))), x);
  return select(is_nan(x), x, y);
}

}  // namespace lstmcore::simd::LSTMCORE_ISA_NS
