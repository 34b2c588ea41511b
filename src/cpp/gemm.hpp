// The one internal interface for matrix products: row-major GEMM with transposes, alpha and beta.
#pragma once

#include "lstmcore/types.hpp"

namespace lstmcore::detail {

// C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C, every matrix row-major with leading
// dimension lda/ldb/ldc; op(X) = X^T when trans_x. beta == 0 overwrites C (NaNs in C do not
// survive). Never allocates after a thread's first call, never throws.
// `gemm` is what the algorithm calls (the fastest kernel compiled in); `gemm_plain` is the
// portable cache-blocked loop, kept as the test oracle of the fast kernels.
void gemm(bool trans_a, bool trans_b, Index m, Index n, Index k, float alpha, const float* A,
          Index lda, const float* B, Index ldb, float beta, float* C, Index ldc);
void gemm(bool trans_a, bool trans_b, Index m, Index n, Index k, double alpha, const double* A,
          Index lda, const double* B, Index ldb, double beta, double* C, Index ldc);

void gemm_plain(bool trans_a, bool trans_b, Index m, Index n, Index k, float alpha,
                const float* A, Index lda, const float* B, Index ldb, float beta, float* C,
                Index ldc);
void gemm_plain(bool trans_a, bool trans_b, Index m, Index n, Index k, double alpha,
                const double* A, Index lda, const double* B, Index ldb, double beta, double* C,
                Index ldc);

}  // namespace lstmcore::detail
