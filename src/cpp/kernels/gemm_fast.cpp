// gemm_fast: degenerate cases, the thread split, and the call into the active ISA's kernel.
#include "kernels/gemm_fast.hpp"

#include <cstdlib>
#include <memory>
#include <new>

#include "dispatch/isa.hpp"
#include "threads/thread_pool.hpp"

namespace lstmcore::kernels {

namespace {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

// Below this many multiply-adds a second thread costs more (waking it, packing the shared
// operand twice) than it saves.
constexpr double kMinParallelWork = 4.0e5;
// No part smaller than this: each part packs the whole shared operand once more.
constexpr double kMinPartWork = 1.0e6;
// Parts per thread. Threads claim parts as they come free, so a thread that starts late or runs
// slowly (a busy machine) leaves its parts to the others instead of holding everyone up; but
// each part packs the shared operand again. On the 2-core VM, 2 threads, products of the LSTM
// benchmark: 2 parts per thread ran like 1 on a quiet machine, 4 cost 10-25%.
constexpr int kPartsPerThread = 2;

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
  const double work = static_cast<double>(g.m) * static_cast<double>(g.n) *
                      static_cast<double>(g.k);
  const int threads = threads::get_num_threads();
  if (threads <= 1 || work < kMinParallelWork || threads::in_parallel_region()) {
    kern.gemm(g);
    return;
  }
  // Split the longer side of C: each part packs all of the other operand, so the smaller one
  // is the one packed repeatedly. Part edges fall on micro-tile edges; every element of C sees
  // the same operations wherever its part starts, so the result is the same for any split.
  const bool split_rows = g.m > g.n;
  const index_t length = split_rows ? g.m : g.n;
  const index_t grain = split_rows ? kern.gemm_mr : kern.gemm_nr;
  const index_t units = (length + grain - 1) / grain;
  index_t parts = static_cast<index_t>(threads) * kPartsPerThread;
  if (parts > units) parts = units;
  if (parts > static_cast<index_t>(work / kMinPartWork))
    parts = static_cast<index_t>(work / kMinPartWork);
  if (parts <= 1) {
    kern.gemm(g);
    return;
  }
  // Row parts all read the whole of op(B): pack it once, each thread a share of its panels,
  // instead of once per part (4 times with 2 threads: ~5% of an LSTM B=16 inference).
  std::unique_ptr<T, FreeDeleter> shared_b;
  GemmArgs<T> whole = g;
  if (split_rows && !g.packed_b) {
    const index_t size = kern.packed_b_size(g.k, g.n);
    const std::size_t bytes = (sizeof(T) * static_cast<std::size_t>(size) + 63) / 64 * 64;
    shared_b.reset(static_cast<T*>(std::aligned_alloc(64, bytes)));
    if (!shared_b) throw std::bad_alloc();
    const index_t panels = (g.n + kern.gemm_nr - 1) / kern.gemm_nr;
    const int packers = static_cast<int>(panels < threads ? panels : threads);
    threads::parallel_for(packers, [&](int t) {
      kern.pack_b(g, shared_b.get(), panels * t / packers, panels * (t + 1) / packers);
    });
    whole.packed_b = shared_b.get();
  }
  threads::parallel_for(static_cast<int>(parts), [&](int p) {
    const index_t begin = units * p / parts * grain;
    index_t end = units * (p + 1) / parts * grain;
    if (end > length) end = length;
    if (begin >= end) return;
    GemmArgs<T> part = whole;
    if (split_rows) {
      part.m = end - begin;
      part.a = g.trans_a ? g.a + begin : g.a + begin * g.lda;
      part.c = g.c + begin * g.ldc;
    } else {
      part.n = end - begin;
      part.b = g.trans_b ? g.b + begin * g.ldb : g.b + begin;
      part.c = g.c + begin;
      if (g.bias) part.bias = g.bias + begin;
    }
    kern.gemm(part);
  });
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
