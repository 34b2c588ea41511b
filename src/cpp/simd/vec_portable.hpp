// Vec<float>/Vec<double> in portable C++: a fixed-size array per value, lane loops the compiler
// vectorizes for the baseline target (SSE2 on x86-64, NEON on aarch64).
#pragma once

#include <cstdint>
#include <cstring>

namespace lstmcore::simd::baseline {

// Lane masks: one flag per lane.
template <int N>
struct LaneMask {
  bool m[N];
};

// N lanes of T; B is the unsigned integer of T's size, M its mantissa bits. fma() here rounds twice (a * b, then + c): the baseline target has no FMA unit,
// and a library fma per lane would be far slower.
template <class T, int N, class B, int M>
struct PortableVec {
  using Scalar = T;
  using Mask = LaneMask<N>;
  static constexpr int kWidth = N;
  // Added to an integer-valued n so that the low mantissa bits hold n + exponent bias.
  static constexpr T kExponentMagic =
      T(B(1) << M) + T((1 << (sizeof(T) * 8 - M - 2)) - 1);
  T v[N];

  static PortableVec load(const T* p) {
    PortableVec r;
    for (int i = 0; i < N; ++i) r.v[i] = p[i];
    return r;
  }
  static PortableVec load_partial(const T* p, int n) {
    PortableVec r;
    for (int i = 0; i < N; ++i) r.v[i] = i < n ? p[i] : T(0);
    return r;
  }
  void store(T* p) const {
    for (int i = 0; i < N; ++i) p[i] = v[i];
  }
  void store_partial(T* p, int n) const {
    for (int i = 0; i < n; ++i) p[i] = v[i];
  }
  static PortableVec gather(const T* p, std::int64_t stride) {
    PortableVec r;
    for (int i = 0; i < N; ++i) r.v[i] = p[i * stride];
    return r;
  }
  static PortableVec gather_partial(const T* p, std::int64_t stride, int n) {
    PortableVec r;
    for (int i = 0; i < N; ++i) r.v[i] = i < n ? p[i * stride] : T(0);
    return r;
  }
  static PortableVec set1(T x) {
    PortableVec r;
    for (int i = 0; i < N; ++i) r.v[i] = x;
    return r;
  }
  static PortableVec zero() { return set1(T(0)); }
};

template <class T>
struct VecTraits;
template <>
struct VecTraits<float> {
  using type = PortableVec<float, 4, std::uint32_t, 23>;
};
template <>
struct VecTraits<double> {
  using type = PortableVec<double, 2, std::uint64_t, 52>;
};

template <class T>
using Vec = typename VecTraits<T>::type;

#define LSTMCORE_PORTABLE_BINARY(name, expr)                                  \
  template <class T, int N, class B, int M>                                   \
  inline PortableVec<T, N, B, M> name(PortableVec<T, N, B, M> a,              \
                                      PortableVec<T, N, B, M> b) {            \
    PortableVec<T, N, B, M> r;                                                \
    for (int i = 0; i < N; ++i) r.v[i] = (expr);                              \
    return r;                                                                 \
  }
LSTMCORE_PORTABLE_BINARY(operator+, a.v[i] + b.v[i])
LSTMCORE_PORTABLE_BINARY(operator-, a.v[i] - b.v[i])
LSTMCORE_PORTABLE_BINARY(operator*, a.v[i] * b.v[i])
LSTMCORE_PORTABLE_BINARY(operator/, a.v[i] / b.v[i])
// Same lane choice as x86 minps/maxps: the second operand when either is NaN.
LSTMCORE_PORTABLE_BINARY(min, a.v[i] < b.v[i] ? a.v[i] : b.v[i])
LSTMCORE_PORTABLE_BINARY(max, a.v[i] > b.v[i] ? a.v[i] : b.v[i])
#undef LSTMCORE_PORTABLE_BINARY

template <class T, int N, class B, int M>
inline PortableVec<T, N, B, M> operator-(PortableVec<T, N, B, M> a) {
  PortableVec<T, N, B, M> r;
  for (int i = 0; i < N; ++i) r.v[i] = -a.v[i];
  return r;
}
template <class T, int N, class B, int M>
inline PortableVec<T, N, B, M> fma(PortableVec<T, N, B, M> a, PortableVec<T, N, B, M> b,
                                   PortableVec<T, N, B, M> c) {
  PortableVec<T, N, B, M> r;
  for (int i = 0; i < N; ++i) r.v[i] = a.v[i] * b.v[i] + c.v[i];
  return r;
}
template <class T, int N, class B, int M>
inline PortableVec<T, N, B, M> fnma(PortableVec<T, N, B, M> a, PortableVec<T, N, B, M> b,
                                    PortableVec<T, N, B, M> c) {
  PortableVec<T, N, B, M> r;
  for (int i = 0; i < N; ++i) r.v[i] = c.v[i] - a.v[i] * b.v[i];
  return r;
}

// Sign-bit manipulation through the integer image of each lane.
template <class T, class B>
inline B bits_of(T x) {
  B b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
template <class T, class B>
inline T from_bits(B b) {
  T x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

template <class T, int N, class B, int M>
inline PortableVec<T, N, B, M> abs(PortableVec<T, N, B, M> a) {
  constexpr B kSign = B(1) << (sizeof(B) * 8 - 1);
  PortableVec<T, N, B, M> r;
  for (int i = 0; i < N; ++i) r.v[i] = from_bits<T, B>(bits_of<T, B>(a.v[i]) & ~kSign);
  return r;
}
template <class T, int N, class B, int M>
inline PortableVec<T, N, B, M> copysign(PortableVec<T, N, B, M> mag, PortableVec<T, N, B, M> sgn) {
  constexpr B kSign = B(1) << (sizeof(B) * 8 - 1);
  PortableVec<T, N, B, M> r;
  for (int i = 0; i < N; ++i) {
    r.v[i] = from_bits<T, B>((bits_of<T, B>(mag.v[i]) & ~kSign) | (bits_of<T, B>(sgn.v[i]) & kSign));
  }
  return r;
}
template <class T, int N, class B, int M>
inline LaneMask<N> lt(PortableVec<T, N, B, M> a, PortableVec<T, N, B, M> b) {
  LaneMask<N> r;
  for (int i = 0; i < N; ++i) r.m[i] = a.v[i] < b.v[i];
  return r;
}
template <class T, int N, class B, int M>
inline LaneMask<N> gt(PortableVec<T, N, B, M> a, PortableVec<T, N, B, M> b) {
  LaneMask<N> r;
  for (int i = 0; i < N; ++i) r.m[i] = a.v[i] > b.v[i];
  return r;
}
template <class T, int N, class B, int M>
inline LaneMask<N> is_nan(PortableVec<T, N, B, M> a) {
  LaneMask<N> r;
  for (int i = 0; i < N; ++i) r.m[i] = a.v[i] != a.v[i];
  return r;
}
template <int N>
inline LaneMask<N> mask_or(LaneMask<N> a, LaneMask<N> b) {
  LaneMask<N> r;
  for (int i = 0; i < N; ++i) r.m[i] = a.m[i] || b.m[i];
  return r;
}
template <class T, int N, class B, int M>
inline PortableVec<T, N, B, M> select(LaneMask<N> m, PortableVec<T, N, B, M> a,
                                      PortableVec<T, N, B, M> b) {
  PortableVec<T, N, B, M> r;
  for (int i = 0; i < N; ++i) r.v[i] = m.m[i] ? a.v[i] : b.v[i];
  return r;
}
// Bits of y shifted left into the exponent field: 2^n when y = n + kExponentMagic.
template <class T, int N, class B, int M>
inline PortableVec<T, N, B, M> shift_into_exponent(PortableVec<T, N, B, M> y) {
  PortableVec<T, N, B, M> r;
  for (int i = 0; i < N; ++i) r.v[i] = from_bits<T, B>(static_cast<B>(bits_of<T, B>(y.v[i]) << M));
  return r;
}
template <class T, int N, class B, int M>
inline T reduce_add(PortableVec<T, N, B, M> a) {
  T s = a.v[0];
  for (int i = 1; i < N; ++i) s += a.v[i];
  return s;
}

}  // namespace lstmcore::simd::baseline
