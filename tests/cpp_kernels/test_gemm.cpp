// gemm_fast of the active ISA against a naive triple loop: every transpose, alpha/beta case,
// edge tails, m/n/k = 1, padded leading dimensions, no writes outside C, thread invariance.
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <type_traits>
#include <vector>

#include "kernel_test.hpp"
#include "kernels/gemm_fast.hpp"
#include "threads/thread_pool.hpp"

namespace kt {

namespace {

using lstmcore::kernels::gemm_fast;
using lstmcore::kernels::index_t;

constexpr double kSentinel = 12345.0;

template <class T>
struct Problem {
  bool ta, tb;
  index_t m, n, k, lda, ldb, ldc;
  T alpha, beta;
  std::vector<T> a, b, c;
};

template <class T>
Problem<T> make_problem(std::mt19937_64& rng, bool ta, bool tb, index_t m, index_t n, index_t k,
                        index_t pad, T alpha, T beta) {
  Problem<T> p{ta, tb, m, n, k, 0, 0, 0, alpha, beta, {}, {}, {}};
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  const index_t a_rows = ta ? k : m, a_cols = ta ? m : k;
  const index_t b_rows = tb ? n : k, b_cols = tb ? k : n;
  p.lda = a_cols + pad;
  p.ldb = b_cols + pad;
  p.ldc = n + pad;
  p.a.assign(static_cast<size_t>(a_rows * p.lda), T(kSentinel));
  p.b.assign(static_cast<size_t>(b_rows * p.ldb), T(kSentinel));
  // One extra row of C catches writes past the last row.
  p.c.assign(static_cast<size_t>((m + 1) * p.ldc), T(kSentinel));
  for (index_t i = 0; i < a_rows; ++i)
    for (index_t j = 0; j < a_cols; ++j) p.a[i * p.lda + j] = T(u(rng));
  for (index_t i = 0; i < b_rows; ++i)
    for (index_t j = 0; j < b_cols; ++j) p.b[i * p.ldb + j] = T(u(rng));
  for (index_t i = 0; i < m; ++i)
    for (index_t j = 0; j < n; ++j)
      p.c[i * p.ldc + j] = beta == T(0) ? std::numeric_limits<T>::quiet_NaN() : T(u(rng));
  return p;
}

// Checks C against the long double product (double for float inputs: exact products, and
// enough for the bound), within (k + 4) eps of the sum of magnitudes.
template <class T>
int check(const Problem<T>& p, const std::vector<T>& c_out, const char* what) {
  const double eps = std::numeric_limits<T>::epsilon();
  int bad = 0;
  for (index_t i = 0; i < p.m + 1; ++i) {
    for (index_t j = 0; j < p.ldc; ++j) {
      const T got = c_out[i * p.ldc + j];
      if (i == p.m || j >= p.n) {
        if (got != T(kSentinel)) ++bad;
        continue;
      }
      using Acc = std::conditional_t<sizeof(T) == 4, double, long double>;
      Acc acc_sum = 0, acc_mag = 0;
      for (index_t q = 0; q < p.k; ++q) {
        const Acc x = p.ta ? p.a[q * p.lda + i] : p.a[i * p.lda + q];
        const Acc y = p.tb ? p.b[j * p.ldb + q] : p.b[q * p.ldb + j];
        acc_sum += x * y;
        acc_mag += std::fabs(x * y);
      }
      long double sum = acc_sum, mag = acc_mag;
      long double ref = static_cast<long double>(p.alpha) * sum;
      mag = std::fabs(static_cast<long double>(p.alpha)) * mag;
      if (p.beta != T(0)) {
        ref += static_cast<long double>(p.beta) * p.c[i * p.ldc + j];
        mag += std::fabs(static_cast<long double>(p.beta) * p.c[i * p.ldc + j]);
      }
      const double err = static_cast<double>(std::fabs(got - ref));
      if (!(err <= (static_cast<double>(p.k) + 4) * eps * static_cast<double>(mag) + 1e-300)) {
        if (bad < 3) {
          std::printf("  %s m=%lld n=%lld k=%lld ta=%d tb=%d alpha=%g beta=%g: C[%lld,%lld]=%.17g "
                      "ref=%.17Lg\n",
                      what, (long long)p.m, (long long)p.n, (long long)p.k, p.ta, p.tb,
                      (double)p.alpha, (double)p.beta, (long long)i, (long long)j, (double)got,
                      ref);
        }
        ++bad;
      }
    }
  }
  return bad;
}

template <class T>
std::vector<T> run(const Problem<T>& p) {
  std::vector<T> c = p.c;
  gemm_fast(p.ta, p.tb, p.m, p.n, p.k, p.alpha, p.a.data(), p.lda, p.b.data(), p.ldb, p.beta,
            c.data(), p.ldc);
  return c;
}

template <class T>
void test_type(const char* type_name) {
  std::mt19937_64 rng(42);
  int cases = 0, bad_cases = 0;
  const index_t sizes[] = {1, 2, 3, 5, 8, 13, 16, 17, 31, 33, 47, 64, 65};
  const T alphas[] = {T(1), T(-0.75)};
  const T betas[] = {T(0), T(1), T(0.5)};
  for (int t = 0; t < 4; ++t) {
    const bool ta = t & 1, tb = t & 2;
    for (index_t m : sizes) {
      for (index_t n : sizes) {
        // k varies with the shape so that every k of the list is met without a full cube.
        const index_t k = sizes[(m * 7 + n * 3 + t) % 13];
        const T alpha = alphas[(m + n) % 2];
        const T beta = betas[(m + 2 * n + t) % 3];
        const index_t pad = (m + n) % 3;
        Problem<T> p = make_problem<T>(rng, ta, tb, m, n, k, pad, alpha, beta);
        ++cases;
        if (check(p, run(p), type_name) != 0) ++bad_cases;
      }
    }
  }
  // Shapes across the cache blocks (k over KC, m over MC, n over NC) and odd tails.
  struct Big {
    index_t m, n, k;
  } bigs[] = {{13, 3100, 300}, {500, 30, 530}, {37, 1, 700}, {1, 1000, 129}, {257, 255, 1}};
  for (const Big& s : bigs) {
    for (int t = 0; t < 4; t += 3) {
      Problem<T> p = make_problem<T>(rng, t & 1, t & 2, s.m, s.n, s.k, 3, T(1), T(t == 3 ? 1 : 0));
      ++cases;
      if (check(p, run(p), type_name) != 0) ++bad_cases;
    }
  }
  // alpha == 0 and k == 0 only scale C.
  {
    Problem<T> p = make_problem<T>(rng, false, false, 9, 11, 0, 1, T(1), T(0.5));
    std::vector<T> c = run(p);
    ++cases;
    if (check(p, c, type_name) != 0) ++bad_cases;
    Problem<T> q = make_problem<T>(rng, false, false, 9, 11, 5, 1, T(0), T(0));
    ++cases;
    if (check(q, run(q), type_name) != 0) ++bad_cases;
  }
  KT_CHECK(bad_cases == 0, "gemm %s: %d of %d cases wrong", type_name, bad_cases, cases);

  // Bitwise identical for any thread count, with row and column splits.
  const int saved = lstmcore::threads::get_num_threads();
  for (int split = 0; split < 2; ++split) {
    Problem<T> p = split == 0 ? make_problem<T>(rng, false, true, 70, 530, 300, 1, T(1), T(0.5))
                              : make_problem<T>(rng, true, false, 530, 70, 300, 1, T(1), T(0.5));
    lstmcore::threads::set_num_threads(1);
    const std::vector<T> one = run(p);
    for (int threads : {2, 3, 4}) {
      lstmcore::threads::set_num_threads(threads);
      const std::vector<T> many = run(p);
      KT_CHECK(std::memcmp(one.data(), many.data(), one.size() * sizeof(T)) == 0,
               "gemm %s: %d threads differ from 1 thread (split %d)", type_name, threads, split);
    }
  }
  lstmcore::threads::set_num_threads(saved);
  std::printf("  gemm %s: %d cases checked\n", type_name, cases);
}

}  // namespace

void test_gemm() {
  test_type<float>("float");
  test_type<double>("double");
}

}  // namespace kt
