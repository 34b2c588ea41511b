// gemm_plain: a portable cache-blocked GEMM that the compiler vectorizes; the oracle of the
// SIMD kernels.
//
// Both operands are packed block by block into row-major panels (A: [MC, KC], B: [KC, NC]) so
// the register-blocked inner kernel streams contiguous memory whatever the transposes. The
// inner kernel keeps an MR x NR tile of C in local accumulators over the whole KC range.
#include <algorithm>
#include <vector>

#include "gemm.hpp"

namespace lstmcore::detail {

namespace {

constexpr Index kMC = 64;   // rows of A per packed block
constexpr Index kKC = 256;  // depth per packed block
constexpr Index kNC = 512;  // columns of B per packed block
constexpr Index kMR = 4;    // register tile rows
// Register tile columns: 128 bytes of C per row (found fastest for float and double on SSE2).
template <class T>
constexpr Index kNR = static_cast<Index>(128 / sizeof(T));

// Scratch for the packed panels, one per thread and type, grown once to the block sizes.
template <class T>
T* pack_buffer(int which, std::size_t size) {
  thread_local std::vector<T> buffers[2];
  std::vector<T>& b = buffers[which];
  if (b.size() < size) b.resize(size);
  return b.data();
}

// dst[r, c] = op(X)[r0 + r, c0 + c] for a rows x cols block, row-major with leading dim cols.
template <class T>
void pack(bool trans, const T* X, Index ldx, Index r0, Index c0, Index rows, Index cols,
          T* dst) {
  if (!trans) {
    for (Index r = 0; r < rows; ++r) {
      const T* src = X + (r0 + r) * ldx + c0;
      std::copy(src, src + cols, dst + r * cols);
    }
  } else {
    // op(X)[r, c] = X[c, r]: transpose in strips of kStrip source rows, so the reads stream
    // kStrip rows of X at once and every write fills kStrip adjacent elements of dst.
    constexpr Index kStrip = 16;
    for (Index cb = 0; cb < cols; cb += kStrip) {
      const Index cn = std::min(kStrip, cols - cb);
      const T* src = X + (c0 + cb) * ldx + r0;
      for (Index r = 0; r < rows; ++r) {
        T* out = dst + r * cols + cb;
        for (Index c = 0; c < cn; ++c) out[c] = src[c * ldx + r];
      }
    }
  }
}

// C[0:MR, 0:NR] += alpha * Ap[0:MR, :kc] * Bp[:kc, 0:NR] for a full tile.
template <class T>
inline void tile_full(Index kc, T alpha, const T* Ap, Index lda, const T* Bp, Index ldb, T* C,
                      Index ldc) {
  // Two rows at a time keep 2 x NR accumulators in vector registers across the whole depth.
  for (Index r = 0; r < kMR; r += 2) {
    T acc0[kNR<T>] = {};
    T acc1[kNR<T>] = {};
    const T* a0 = Ap + r * lda;
    const T* a1 = a0 + lda;
    for (Index p = 0; p < kc; ++p) {
      const T* b = Bp + p * ldb;
      const T x0 = a0[p];
      const T x1 = a1[p];
      for (Index c = 0; c < kNR<T>; ++c) {
        acc0[c] += x0 * b[c];
        acc1[c] += x1 * b[c];
      }
    }
    for (Index c = 0; c < kNR<T>; ++c) {
      C[r * ldc + c] += alpha * acc0[c];
      C[(r + 1) * ldc + c] += alpha * acc1[c];
    }
  }
}

// The same for a partial tile at the block edges (mr <= MR, nr <= NR).
template <class T>
inline void tile_edge(Index mr, Index nr, Index kc, T alpha, const T* Ap, Index lda, const T* Bp,
                      Index ldb, T* C, Index ldc) {
  T acc[kMR][kNR<T>] = {};
  for (Index p = 0; p < kc; ++p) {
    const T* b = Bp + p * ldb;
    for (Index r = 0; r < mr; ++r) {
      const T a = Ap[r * lda + p];
      for (Index c = 0; c < nr; ++c) acc[r][c] += a * b[c];
    }
  }
  for (Index r = 0; r < mr; ++r)
    for (Index c = 0; c < nr; ++c) C[r * ldc + c] += alpha * acc[r][c];
}

template <class T>
void gemm_blocked(bool trans_a, bool trans_b, Index m, Index n, Index k, T alpha, const T* A,
                  Index lda, const T* B, Index ldb, T beta, T* C, Index ldc) {
  if (m <= 0 || n <= 0) return;
  if (beta != T(1)) {
    for (Index i = 0; i < m; ++i) {
      T* row = C + i * ldc;
      if (beta == T(0)) {
        std::fill(row, row + n, T(0));
      } else {
        for (Index j = 0; j < n; ++j) row[j] *= beta;
      }
    }
  }
  if (k <= 0 || alpha == T(0)) return;
  T* Bp = pack_buffer<T>(0, static_cast<std::size_t>(kKC * kNC));
  T* Ap = pack_buffer<T>(1, static_cast<std::size_t>(kMC * kKC));
  for (Index jc = 0; jc < n; jc += kNC) {
    const Index nc = std::min(kNC, n - jc);
    for (Index pc = 0; pc < k; pc += kKC) {
      const Index kc = std::min(kKC, k - pc);
      pack(trans_b, B, ldb, pc, jc, kc, nc, Bp);
      for (Index ic = 0; ic < m; ic += kMC) {
        const Index mc = std::min(kMC, m - ic);
        pack(trans_a, A, lda, ic, pc, mc, kc, Ap);
        for (Index ir = 0; ir < mc; ir += kMR) {
          const Index mr = std::min(kMR, mc - ir);
          for (Index jr = 0; jr < nc; jr += kNR<T>) {
            const Index nr = std::min(kNR<T>, nc - jr);
            T* Ct = C + (ic + ir) * ldc + jc + jr;
            const T* At = Ap + ir * kc;
            const T* Bt = Bp + jr;
            if (mr == kMR && nr == kNR<T>) {
              tile_full(kc, alpha, At, kc, Bt, nc, Ct, ldc);
            } else {
              tile_edge(mr, nr, kc, alpha, At, kc, Bt, nc, Ct, ldc);
            }
          }
        }
      }
    }
  }
}

}  // namespace

void gemm_plain(bool trans_a, bool trans_b, Index m, Index n, Index k, float alpha,
                const float* A, Index lda, const float* B, Index ldb, float beta, float* C,
                Index ldc) {
  gemm_blocked(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemm_plain(bool trans_a, bool trans_b, Index m, Index n, Index k, double alpha,
                const double* A, Index lda, const double* B, Index ldb, double beta, double* C,
                Index ldc) {
  gemm_blocked(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace lstmcore::detail
