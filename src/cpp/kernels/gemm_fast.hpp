// The fast matrix product: packed, register-tiled kernels of the active ISA, split over threads.
#pragma once

#include "kernels/gemm_args.hpp"

namespace lstmcore::kernels {

// C = alpha op(A) op(B) + beta C, row-major; op(X) = X^T when trans_x. op(A) is m x k, op(B)
// is k x n, C is m x n with row strides lda, ldb, ldc (elements). beta == 0 overwrites C
// without reading it; alpha == 0 or k == 0 only scales C. Threads split the rows or columns of
// C (never k), so the result is bitwise identical for any thread count.
void gemm_fast(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, float alpha,
               const float* a, index_t lda, const float* b, index_t ldb, float beta, float* c,
               index_t ldc);
void gemm_fast(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, double alpha,
               const double* a, index_t lda, const double* b, index_t ldb, double beta, double* c,
               index_t ldc);

// The same from an argument block (which may carry a bias row: see GemmArgs::bias).
void gemm_fast(const GemmArgs<float>& args);
void gemm_fast(const GemmArgs<double>& args);

// The same on the calling thread only (for callers that already run inside a parallel region
// with their own split).
void gemm_fast_serial(const GemmArgs<float>& args);
void gemm_fast_serial(const GemmArgs<double>& args);

}  // namespace lstmcore::kernels
