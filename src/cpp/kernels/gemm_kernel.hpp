// The blocked, packed matrix product of one ISA: register-tiled micro-kernel, packing of the
// A and B panels, cache blocking. Single-threaded; gemm_fast.cpp splits the work over threads.
//
// Layout (BLIS-style, row-major C): a micro-tile of C is MR rows x NR = NV * W columns, held in
// MR * NV vector registers. For each p of the reduction, NV vectors of a packed B row are loaded
// and each of the MR packed A values is broadcast into one FMA per vector. Loops, outer to inner:
// ic over MC rows, pc over KC (the reduction, never split across threads; A block packed), jc
// over NC columns (B block packed, stays in L2), ir over MR (A micro-panel stays in L1), jr over
// NR (B micro-panels stream from L2) — BLIS's order with the roles of A and B swapped, since here
// the vectors run along the rows of B. Every element of C sees the same sequence of operations
// wherever its tile falls, so the result does not depend on how callers split C.
#pragma once

#include <cstring>

#include "kernels/gemm_args.hpp"
#include "kernels/scratch.hpp"
#include "simd/vec.hpp"

namespace lstmcore::kernels::LSTMCORE_ISA_NS {

using simd::LSTMCORE_ISA_NS::Vec;

inline index_t min_index(index_t a, index_t b) { return a < b ? a : b; }

// Asks for the cache line holding p (a hint; no effect where the compiler has no builtin).
inline void prefetch_write(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 1, 3);
#else
  (void)p;
#endif
}

// Tile and block sizes of this ISA and type: the MR x KC A micro-panel stays in L1 while the
// KC x NC block of B (~1 MB, L2) streams past it; the MC x KC block of A lives in L3. Tuned on a
// 2-core Sapphire Rapids (48 KB L1d, 2 MB L2): MR 12/14 and KC 256-512 were within noise.
template <class T>
struct GemmShape;

#if LSTMCORE_SIMD_LEVEL == 2
template <>
struct GemmShape<float> {
  static constexpr int kMR = 12, kNV = 2, kKC = 256, kMC = 3072, kNC = 960;
};
template <>
struct GemmShape<double> {
  static constexpr int kMR = 12, kNV = 2, kKC = 256, kMC = 1536, kNC = 480;
};
#elif LSTMCORE_SIMD_LEVEL == 1
template <>
struct GemmShape<float> {
  static constexpr int kMR = 6, kNV = 2, kKC = 256, kMC = 3072, kNC = 960;
};
template <>
struct GemmShape<double> {
  static constexpr int kMR = 6, kNV = 2, kKC = 256, kMC = 1536, kNC = 480;
};
#else
template <>
struct GemmShape<float> {
  static constexpr int kMR = 4, kNV = 2, kKC = 256, kMC = 2048, kNC = 512;
};
template <>
struct GemmShape<double> {
  static constexpr int kMR = 4, kNV = 2, kKC = 256, kMC = 1024, kNC = 256;
};
#endif

// C tile = alpha * acc + beta * C, for the valid rows/columns; beta == 0 never reads C (so NaN
// or garbage in C does not leak), alpha == 1 and beta == 1 skip their multiplications. The same
// expression serves full and partial tiles so that both round alike.
template <class T>
inline Vec<T> combine(Vec<T> acc, const T* c, int lanes, T alpha, T beta) {
  using V = Vec<T>;
  const V scaled = alpha == T(1) ? acc : acc * V::set1(alpha);
  if (beta == T(0)) return scaled;
  const V old = lanes >= V::kWidth ? V::load(c) : V::load_partial(c, lanes);
  if (beta == T(1)) return scaled + old;
  return fma(old, V::set1(beta), scaled);
}

// Kept out of line so that the accumulators get the whole register file.
#if defined(__GNUC__) || defined(__clang__)
#define LSTMCORE_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define LSTMCORE_NOINLINE __declspec(noinline)
#else
#define LSTMCORE_NOINLINE
#endif

// One MR x NR tile: a is [k][MR] packed, b is [k][NR] packed; c points at the tile in C.
template <class T, int MR, int NV>
LSTMCORE_NOINLINE void micro_kernel(index_t k, const T* __restrict a, const T* __restrict b, T* c,
                         index_t ldc, T alpha, T beta, int m_valid, int n_valid,
                         const T* bias) {
  using V = Vec<T>;
  constexpr int W = V::kWidth;
  constexpr int NR = NV * W;
  // The C tile is only touched after the k loop: start fetching its lines now.
  for (int i = 0; i < MR; ++i) {
    prefetch_write(c + i * ldc);
    prefetch_write(c + i * ldc + NR - 1);
  }
  V acc[MR][NV];
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v] = V::zero();
  for (index_t p = 0; p < k; ++p) {
    V bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = V::load(b + p * NR + v * W);
    for (int i = 0; i < MR; ++i) {
      const V ai = V::set1(a[p * MR + i]);
      for (int v = 0; v < NV; ++v) acc[i][v] = fma(ai, bv[v], acc[i][v]);
    }
  }
  if (m_valid == MR && n_valid == NR) {
    for (int i = 0; i < MR; ++i) {
      for (int v = 0; v < NV; ++v) {
        T* cp = c + i * ldc + v * W;
        combine(acc[i][v], bias ? bias + v * W : cp, W, alpha, beta).store(cp);
      }
    }
    return;
  }
  // Partial tile: park the accumulators in memory with constant indices (run-time indices into
  // acc would make the compiler keep acc in memory during the k loop), then update the valid part.
  alignas(64) T tile[MR * NR];
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v].store(tile + i * NR + v * W);
  for (int i = 0; i < m_valid; ++i) {
    for (int v = 0; v * W < n_valid; ++v) {
      const int lanes = n_valid - v * W;
      T* cp = c + i * ldc + v * W;
      const V r = combine(V::load(tile + i * NR + v * W), bias ? bias + v * W : cp, lanes, alpha,
                          beta);
      if (lanes >= W) {
        r.store(cp);
      } else {
        r.store_partial(cp, lanes);
      }
    }
  }
}

// dst[0 : N] = src[0 : n], zero past n. A full panel row is a memcpy of compile-time size, which
// compilers turn into a few vector moves (a run-time count made them call memmove for every row
// of 12 or 32 values; an element loop, assemble vectors from scalar inserts).
template <class T, int N>
inline void copy_panel_row(const T* __restrict src, int n, T* __restrict dst) {
  if (n == N) {
    std::memcpy(dst, src, sizeof(T) * N);
    return;
  }
  for (int i = 0; i < n; ++i) dst[i] = src[i];
  for (int i = n; i < N; ++i) dst[i] = T(0);
}

// Packs op(A)[i0 : i0+mc, p0 : p0+kc] into ceil(mc/MR) panels of [kc][MR], zero-padded rows.
template <class T, int MR>
inline void pack_a(bool trans, const T* a, index_t lda, index_t i0, index_t p0, index_t mc,
                   index_t kc, T* __restrict dst) {
  if (trans) {
    // op(A)(i, p) = a[p * lda + i]: row p of a feeds every panel. Reading it once, in order,
    // streams a from memory; panel by panel would revisit kc rows lda apart for each panel
    // (an LSTM's weight gradients read the gates' gradients this way: 2-3x slower packing).
    for (index_t p = 0; p < kc; ++p) {
      const T* src = a + (p0 + p) * lda + i0;
      for (index_t ir = 0; ir < mc; ir += MR)
        copy_panel_row<T, MR>(src + ir, static_cast<int>(min_index(MR, mc - ir)),
                              dst + ir * kc + p * MR);
    }
    return;
  }
  for (index_t ir = 0; ir < mc; ir += MR) {
    const int rows = static_cast<int>(min_index(MR, mc - ir));
    T* panel = dst + ir * kc;
    // op(A)(i, p) = a[i * lda + p]: a panel row is a strided gather of MR values (from MR rows
    // whose lines stay in L1 for the next p), stored in one piece; scalar stores MR apart were
    // ~16% of a product with a large k (an LSTM's input gradient).
    if (rows == MR) {
      constexpr int W = Vec<T>::kWidth;
      const T* src = a + (i0 + ir) * lda + p0;
      for (index_t p = 0; p < kc; ++p)
        for (int i = 0; i < MR; i += W) {
          if (MR - i >= W) {
            Vec<T>::gather(src + i * lda + p, lda).store(panel + p * MR + i);
          } else {
            Vec<T>::gather_partial(src + i * lda + p, lda, MR - i)
                .store_partial(panel + p * MR + i, MR - i);
          }
        }
      continue;
    }
    for (int i = 0; i < rows; ++i) {
      const T* src = a + (i0 + ir + i) * lda + p0;
      for (index_t p = 0; p < kc; ++p) panel[p * MR + i] = src[p];
    }
    for (int i = rows; i < MR; ++i)
      for (index_t p = 0; p < kc; ++p) panel[p * MR + i] = T(0);
  }
}

// Packs op(B)[p0 : p0+kc, j0 : j0+nc] into ceil(nc/NR) panels of [kc][NR], zero-padded columns.
template <class T, int NR>
inline void pack_b(bool trans, const T* b, index_t ldb, index_t p0, index_t j0, index_t kc,
                   index_t nc, T* __restrict dst) {
  if (!trans) {
    // Row p of b feeds every panel: read it once, in order (as in pack_a).
    for (index_t p = 0; p < kc; ++p) {
      const T* src = b + (p0 + p) * ldb + j0;
      for (index_t jr = 0; jr < nc; jr += NR)
        copy_panel_row<T, NR>(src + jr, static_cast<int>(min_index(NR, nc - jr)),
                              dst + jr * kc + p * NR);
    }
    return;
  }
  for (index_t jr = 0; jr < nc; jr += NR) {
    const int cols = static_cast<int>(min_index(NR, nc - jr));
    T* panel = dst + jr * kc;
    // op(B)(p, j) = b[j * ldb + p]: a full panel row is NR/W strided gathers (the lines of the
    // panel's NR rows of b stay in L1 for the next p), not NR scalar strided stores.
    if (cols == NR) {
      constexpr int W = Vec<T>::kWidth;
      const T* src = b + (j0 + jr) * ldb + p0;
      for (index_t p = 0; p < kc; ++p)
        for (int v = 0; v < NR / W; ++v)
          Vec<T>::gather(src + v * W * ldb + p, ldb).store(panel + p * NR + v * W);
      continue;
    }
    for (int j = 0; j < cols; ++j) {
      const T* src = b + (j0 + jr + j) * ldb + p0;
      for (index_t p = 0; p < kc; ++p) panel[p * NR + j] = src[p];
    }
    for (int j = cols; j < NR; ++j)
      for (index_t p = 0; p < kc; ++p) panel[p * NR + j] = T(0);
  }
}

// op(B) packed whole (GemmArgs::packed_b): for each KC block of rows starting at pc, all n
// columns as panels [ceil(n/NR)][kc][NR] at offset pc * n_pad, so that the block the kernel
// needs for (pc, jc) starts at pc * n_pad + jc * kc, as if pack_b had just written it.
template <class T>
index_t packed_b_size(index_t k, index_t n) {
  constexpr index_t NR = GemmShape<T>::kNV * Vec<T>::kWidth;
  return k * ((n + NR - 1) / NR * NR);
}

// Panels [p0, p1) of op(B) packed whole (see packed_b_size).
template <class T>
void pack_b_whole(const GemmArgs<T>& g, T* dst, index_t p0, index_t p1) {
  using S = GemmShape<T>;
  constexpr index_t NR = S::kNV * Vec<T>::kWidth;
  const index_t n_pad = (g.n + NR - 1) / NR * NR;
  const index_t j0 = p0 * NR, j1 = min_index(p1 * NR, g.n);
  if (j0 >= j1) return;
  for (index_t pc = 0; pc < g.k; pc += S::kKC) {
    const index_t kc = min_index(S::kKC, g.k - pc);
    pack_b<T, NR>(g.trans_b, g.b, g.ldb, pc, j0, kc, j1 - j0, dst + pc * n_pad + j0 * kc);
  }
}

// C = alpha op(A) op(B) + beta C on the calling thread; m, n, k >= 1 and alpha != 0
// (gemm_fast handles the degenerate cases).
template <class T>
void gemm_single_thread(const GemmArgs<T>& g) {
  using S = GemmShape<T>;
  constexpr int MR = S::kMR;
  constexpr int NR = S::kNV * Vec<T>::kWidth;
  const index_t kc_max = min_index(S::kKC, g.k);
  const index_t mc_max = min_index(S::kMC, (g.m + MR - 1) / MR * MR);
  const index_t nc_max = min_index(S::kNC, (g.n + NR - 1) / NR * NR);
  T* packed_a = static_cast<T*>(
      thread_scratch(kScratchGemmA, sizeof(T) * static_cast<std::size_t>(mc_max * kc_max)));
  T* packed_b = g.packed_b ? nullptr : static_cast<T*>(thread_scratch(
      kScratchGemmB, sizeof(T) * static_cast<std::size_t>(nc_max * kc_max)));
  const index_t n_pad = (g.n + NR - 1) / NR * NR;
  for (index_t ic = 0; ic < g.m; ic += S::kMC) {
    const index_t mc = min_index(S::kMC, g.m - ic);
    for (index_t pc = 0; pc < g.k; pc += S::kKC) {
      const index_t kc = min_index(S::kKC, g.k - pc);
      // With a bias, the first block adds it (as beta = 1 would add a C filled with it).
      const T beta = pc == 0 && !g.bias ? g.beta : T(1);
      const T* bias = pc == 0 ? g.bias : nullptr;
      pack_a<T, MR>(g.trans_a, g.a, g.lda, ic, pc, mc, kc, packed_a);
      for (index_t jc = 0; jc < g.n; jc += S::kNC) {
        const index_t nc = min_index(S::kNC, g.n - jc);
        const T* bp = g.packed_b ? g.packed_b + pc * n_pad + jc * kc : packed_b;
        if (!g.packed_b) pack_b<T, NR>(g.trans_b, g.b, g.ldb, pc, jc, kc, nc, packed_b);
        for (index_t ir = 0; ir < mc; ir += MR) {
          const int m_valid = static_cast<int>(min_index(MR, mc - ir));
          for (index_t jr = 0; jr < nc; jr += NR) {
            const int n_valid = static_cast<int>(min_index(NR, nc - jr));
            micro_kernel<T, MR, S::kNV>(kc, packed_a + ir * kc, bp + jr * kc,
                                        g.c + (ic + ir) * g.ldc + jc + jr, g.ldc, g.alpha, beta,
                                        m_valid, n_valid, bias ? bias + jc + jr : nullptr);
          }
        }
      }
    }
  }
}

}  // namespace lstmcore::kernels::LSTMCORE_ISA_NS
