// gemm(): routes every matrix product of the core to the kernel in use (the plain one for now).
#include "gemm.hpp"

namespace lstmcore::detail {

void gemm(bool trans_a, bool trans_b, Index m, Index n, Index k, float alpha, const float* A,
          Index lda, const float* B, Index ldb, float beta, float* C, Index ldc) {
  gemm_plain(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemm(bool trans_a, bool trans_b, Index m, Index n, Index k, double alpha, const double* A,
          Index lda, const double* B, Index ldb, double beta, double* C, Index ldc) {
  gemm_plain(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace lstmcore::detail
