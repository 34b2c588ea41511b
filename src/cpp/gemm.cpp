// gemm(): routes every matrix product of the core to the packed SIMD kernel of the active ISA,
// split over the thread pool in blocks of output rows or columns when the product is large
// enough to pay.
#include "gemm.hpp"

#include <algorithm>

#include "dispatch/isa.hpp"
#include "kernels/gemm_fast.hpp"
#include "threads/thread_pool.hpp"

namespace lstmcore::detail {

namespace {

// Below this many multiply-adds a second thread costs more (waking it, packing the shared
// operand twice) than it saves.
constexpr double kMinParallelWork = 4.0e5;
// No part smaller than this: each part packs the whole shared operand once more.
constexpr double kMinPartWork = 1.0e6;
// Parts per thread. Threads claim parts as they come free, so a thread that starts late or runs
// slowly (a busy machine) leaves its parts to the others instead of holding everyone up.
constexpr int kPartsPerThread = 4;

template <class T>
void gemm_split(const kernels::GemmArgs<T>& g) {
  const double work = static_cast<double>(g.m) * static_cast<double>(g.n) *
                      static_cast<double>(g.k);
  const int threads = threads::get_num_threads();
  if (threads <= 1 || work < kMinParallelWork || g.m <= 0 || g.n <= 0 || g.k <= 0 ||
      threads::in_parallel_region()) {
    kernels::gemm_fast_serial(g);
    return;
  }
  const kernels::TypedKernels<T>& kern = dispatch::active_kernels().typed<T>();
  // Split the longer side of C: each part packs all of the other operand, so this packs the
  // smaller one repeatedly. Part edges fall on micro-tile edges; every element of C sees the
  // same operations wherever its part starts, so the result is the same for any split.
  const bool split_rows = g.m >= g.n;
  const Index length = split_rows ? g.m : g.n;
  const Index grain = split_rows ? kern.gemm_mr : kern.gemm_nr;
  const Index units = (length + grain - 1) / grain;
  Index parts = std::min<Index>(units, static_cast<Index>(threads) * kPartsPerThread);
  parts = std::min<Index>(parts, static_cast<Index>(work / kMinPartWork));
  if (parts <= 1) {
    kernels::gemm_fast_serial(g);
    return;
  }
  threads::parallel_for(static_cast<int>(parts), [&](int p) {
    const Index begin = units * p / parts * grain;
    const Index end = std::min(length, units * (p + 1) / parts * grain);
    if (begin >= end) return;
    kernels::GemmArgs<T> part = g;
    if (split_rows) {
      part.m = end - begin;
      part.a = g.trans_a ? g.a + begin : g.a + begin * g.lda;
      part.c = g.c + begin * g.ldc;
    } else {
      part.n = end - begin;
      part.b = g.trans_b ? g.b + begin * g.ldb : g.b + begin;
      part.c = g.c + begin;
    }
    kernels::gemm_fast_serial(part);
  });
}

}  // namespace

void gemm(bool trans_a, bool trans_b, Index m, Index n, Index k, float alpha, const float* A,
          Index lda, const float* B, Index ldb, float beta, float* C, Index ldc) {
  gemm_split(kernels::GemmArgs<float>{trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C,
                                      ldc});
}

void gemm(bool trans_a, bool trans_b, Index m, Index n, Index k, double alpha, const double* A,
          Index lda, const double* B, Index ldb, double beta, double* C, Index ldc) {
  gemm_split(kernels::GemmArgs<double>{trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta,
                                       C, ldc});
}

}  // namespace lstmcore::detail
