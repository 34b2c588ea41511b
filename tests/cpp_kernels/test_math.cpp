// Vectorized exp / sigmoid / tanh of the active ISA against the C library evaluated in a wider
// type, over dense and bit-pattern samples incl. large |x|; special values and saturation.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "dispatch/isa.hpp"
#include "kernel_test.hpp"
#include "kernels/math_arrays.hpp"

namespace kt {

namespace {

using lstmcore::kernels::index_t;
using Wide = long double;

// Spacing of T at the magnitude of r (subnormal spacing below the normal range).
template <class T>
Wide ulp_at(Wide r) {
  r = std::fabs(r);
  if (r < std::numeric_limits<T>::min()) return std::numeric_limits<T>::denorm_min();
  int e = 0;
  std::frexp(r, &e);  // r = f 2^e, f in [0.5, 1)
  return std::ldexp(Wide(1), e - std::numeric_limits<T>::digits);
}

Wide ref_exp(Wide x) { return std::exp(x); }
Wide ref_sigmoid(Wide x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  const Wide e = std::exp(x);
  return e / (1 + e);
}
Wide ref_tanh(Wide x) { return std::tanh(x); }

template <class T>
std::vector<T> samples(bool for_exp) {
  std::vector<T> xs;
  const T limit = for_exp ? (sizeof(T) == 4 ? T(110) : T(760)) : std::numeric_limits<T>::max();
  // Dense grid where the functions bend.
  for (int i = -500000; i <= 500000; i += 1) xs.push_back(T(i) * T(6e-5));
  // Bit patterns over the whole finite range, both signs.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000000; ++i) {
    using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    const Bits bits = static_cast<Bits>(rng());
    T x;
    std::memcpy(&x, &bits, sizeof x);
    if (std::isfinite(x) && std::fabs(x) <= limit) xs.push_back(x);
  }
  // Uniform over the range where exp is finite and nonzero and beyond.
  std::uniform_real_distribution<double> u(-double(sizeof(T) == 4 ? 110 : 760),
                                           double(sizeof(T) == 4 ? 110 : 760));
  for (int i = 0; i < 300000; ++i) xs.push_back(T(u(rng)));
  return xs;
}

// The reference values, computed once per sample set and function (ISAs share them).
template <class T>
const std::vector<Wide>& reference(const std::vector<T>& xs, Wide (*ref)(Wide)) {
  static std::vector<Wide> cache[3];
  static Wide (*owner[3])(Wide) = {nullptr, nullptr, nullptr};
  static const T* data[3] = {nullptr, nullptr, nullptr};
  int slot = ref == ref_exp ? 0 : ref == ref_sigmoid ? 1 : 2;
  if (owner[slot] != ref || data[slot] != xs.data() || cache[slot].size() != xs.size()) {
    cache[slot].resize(xs.size());
    for (size_t i = 0; i < xs.size(); ++i) cache[slot][i] = ref(static_cast<Wide>(xs[i]));
    owner[slot] = ref;
    data[slot] = xs.data();
  }
  return cache[slot];
}

template <class T>
double max_ulp(const std::vector<T>& xs, void (*f)(index_t, const T*, T*), Wide (*ref)(Wide),
               T* worst_x) {
  std::vector<T> ys(xs.size());
  f(static_cast<index_t>(xs.size()), xs.data(), ys.data());
  const std::vector<Wide>& refs = reference(xs, ref);
  double worst = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Wide r = refs[i];
    const Wide r_t = static_cast<T>(r);  // the reference as T may be inf (exp overflow)
    double e;
    if (std::isinf(r_t) || std::isinf(ys[i])) {
      e = (std::isinf(r_t) && ys[i] == r_t) ? 0.0 : 1e30;
    } else {
      e = static_cast<double>(std::fabs(static_cast<Wide>(ys[i]) - r) / ulp_at<T>(r));
    }
    if (!(e <= worst)) {
      worst = std::isnan(e) ? 1e30 : e;
      *worst_x = xs[i];
    }
  }
  return worst;
}

template <class T>
T one(void (*f)(index_t, const T*, T*), T x) {
  T y;
  f(1, &x, &y);
  return y;
}

template <class T>
void test_type(const char* type_name, double ulp_limit) {
  namespace k = lstmcore::kernels;
  void (*fexp)(index_t, const T*, T*) = &k::exp_array;
  void (*fsig)(index_t, const T*, T*) = &k::sigmoid_array;
  void (*ftanh)(index_t, const T*, T*) = &k::tanh_array;
  static const std::vector<T> xe = samples<T>(true);
  static const std::vector<T> xa = samples<T>(false);
  T wx = 0;
  const double ue = max_ulp<T>(xe, fexp, ref_exp, &wx);
  std::printf("  %s exp     max error %.3f ulp (at x=%.9g), %zu points\n", type_name, ue,
              double(wx), xe.size());
  KT_CHECK(ue <= ulp_limit, "%s exp error %.3f ulp", type_name, ue);
  const double us = max_ulp<T>(xa, fsig, ref_sigmoid, &wx);
  std::printf("  %s sigmoid max error %.3f ulp (at x=%.9g), %zu points\n", type_name, us,
              double(wx), xa.size());
  KT_CHECK(us <= ulp_limit, "%s sigmoid error %.3f ulp", type_name, us);
  const double ut = max_ulp<T>(xa, ftanh, ref_tanh, &wx);
  std::printf("  %s tanh    max error %.3f ulp (at x=%.9g), %zu points\n", type_name, ut,
              double(wx), xa.size());
  KT_CHECK(ut <= ulp_limit, "%s tanh error %.3f ulp", type_name, ut);

  const T inf = std::numeric_limits<T>::infinity();
  const T nan = std::numeric_limits<T>::quiet_NaN();
  const T big = std::numeric_limits<T>::max();
  KT_CHECK(one(fexp, inf) == inf && one(fexp, -inf) == T(0) && one(fexp, big) == inf &&
               one(fexp, -big) == T(0) && one(fexp, T(0)) == T(1),
           "%s exp special values", type_name);
  KT_CHECK(one(fsig, inf) == T(1) && one(fsig, -inf) == T(0) && one(fsig, big) == T(1) &&
               one(fsig, -big) == T(0) && one(fsig, T(0)) == T(0.5) && one(fsig, T(60)) == T(1),
           "%s sigmoid special values", type_name);
  KT_CHECK(one(ftanh, inf) == T(1) && one(ftanh, -inf) == T(-1) && one(ftanh, big) == T(1) &&
               one(ftanh, -big) == T(-1) && one(ftanh, T(25)) == T(1) &&
               one(ftanh, T(-25)) == T(-1),
           "%s tanh special values", type_name);
  const T minus_zero = one(ftanh, T(-0.0));
  KT_CHECK(minus_zero == T(0) && std::signbit(minus_zero), "%s tanh(-0) is -0", type_name);
  KT_CHECK(std::isnan(one(fexp, nan)) && std::isnan(one(fsig, nan)) && std::isnan(one(ftanh, nan)),
           "%s NaN does not propagate", type_name);
  // No NaN for finite input, saturation within range.
  int bad = 0;
  std::vector<T> ys(xa.size());
  for (auto f : {fsig, ftanh}) {
    f(static_cast<index_t>(xa.size()), xa.data(), ys.data());
    for (size_t i = 0; i < xa.size(); ++i) {
      if (std::isnan(ys[i]) || ys[i] > T(1) || ys[i] < T(-1)) ++bad;
    }
  }
  KT_CHECK(bad == 0, "%s: %d sigmoid/tanh outputs NaN or out of range", type_name, bad);
  // Every array length exercises the tail path, in place.
  for (int n = 0; n < 40; ++n) {
    std::vector<T> x(static_cast<size_t>(n)), y(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) x[i] = T(i) * T(0.37) - T(5);
    ftanh(n, x.data(), y.data());
    ftanh(n, x.data(), x.data());
    for (int i = 0; i < n; ++i) {
      if (x[i] != y[i] || std::fabs(y[i] - std::tanh(T(i) * T(0.37) - T(5))) > T(1e-5)) ++bad;
    }
  }
  KT_CHECK(bad == 0, "%s: tails or in-place results wrong", type_name);
}

}  // namespace

void test_math() {
  test_type<float>("float ", 4.0);
  test_type<double>("double", 4.0);
}

}  // namespace kt
