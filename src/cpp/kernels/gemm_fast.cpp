// gemm_fast: degenerate cases, the thread split, and the call into the active ISA's kernel.
#include "kernels/gemm_fast.hpp"

#include "dispatch/isa.hpp"
#include "threads/thread_pool.hpp"

namespace lstmcore::kernels {

namespace {

// Below this many multiply-adds a second thread costs more than it saves.
constexpr double kMinFlopsPerThread = 2.0e5;

// C = beta C (beta == 0 writes zeros, NaN in C included), or C = bias.
template <class T>
void scale_c(const GemmArgs<T>& g) {
  for (index_t i = 0; i < g.m; ++i) {
    T* row = g.c + i * g.ldc;
    if (g.bias) {
      for (index_t j = 0; j < g.n; ++j) row[j] = g.bias[j];
    } else if (g.beta == T(0)) {
      for (index_t j = 0; j < g.n; ++j) row[j] = T(0);
    } else if (g.beta != T(1)) {
      for (index_t j = 0; j < g.n; ++j) row[j] *= g.beta;
    }
  }
}

template <class T>
void serial(const GemmArgs<T>& g) {
  if (g.m <= 0 || g.n <= 0) return;
  if (g.k <= 0 || g.alpha == T(0)) {
    scale_c(g);
    return;
  }
  dispatch::active_kernels().typed<T>().gemm(g);
}

template <class T>
void parallel(const GemmArgs<T>& g) {
  if (g.m <= 0 || g.n <= 0) return;
  if (g.k <= 0 || g.alpha == T(0)) {
    scale_c(g);
    return;
  }
  const TypedKernels<T>& kern = dispatch::active_kernels().typed<T>();
  const double flops = static_cast<double>(g.m) * static_cast<double>(g.n) *
                       static_cast<double>(g.k);
  const int threads = threads::get_num_threads();
  if (threads <= 1 || flops < 2 * kMinFlopsPerThread || threads::in_parallel_region()) {
    kern.gemm(g);
    return;
  }
  // Split the longer side of C; each part packs what it needs on its own thread.
  const index_t min_part_rows = static_cast<index_t>(kMinFlopsPerThread / (g.n * g.k)) + 1;
  const index_t min_part_cols = static_cast<index_t>(kMinFlopsPerThread / (g.m * g.k)) + 1;
  if (g.n >= g.m) {
    threads::parallel_ranges(g.n, kern.gemm_nr, min_part_cols, [&](index_t j0, index_t j1) {
      GemmArgs<T> part = g;
      part.n = j1 - j0;
      part.b = g.trans_b ? g.b + j0 * g.ldb : g.b + j0;
      part.c = g.c + j0;
      if (g.bias) part.bias = g.bias + j0;
      kern.gemm(part);
    });
  } else {
    threads::parallel_ranges(g.m, kern.gemm_mr, min_part_rows, [&](index_t i0, index_t i1) {
      GemmArgs<T> part = g;
      part.m = i1 - i0;
      part.a = g.trans_a ? g.a + i0 : g.a + i0 * g.lda;
      part.c = g.c + i0 * g.ldc;
      kern.gemm(part);
    });
  }
}

}  // namespace

void gemm_fast(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, float alpha,
               const float* a, index_t lda, const float* b, index_t ldb, float beta, float* c,
               index_t ldc) {
  parallel(GemmArgs<float>{trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc});
}

void gemm_fast(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, double alpha,
               const double* a, index_t lda, const double* b, index_t ldb, double beta, double* c,
               index_t ldc) {
  parallel(GemmArgs<double>{trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc});
}

void gemm_fast(const GemmArgs<float>& args) { parallel(args); }
void gemm_fast(const GemmArgs<double>& args) { parallel(args); }

void gemm_fast_serial(const GemmArgs<float>& args) { serial(args); }
void gemm_fast_serial(const GemmArgs<double>& args) { serial(args); }

}  // namespace lstmcore::kernels
