// gemm(): routes every matrix product of the core to the packed SIMD kernel of the active ISA
// (kernels::gemm_fast, split over the thread pool when the product is large enough to pay).
// LSTMCORE_GEMM_PATH=plain (read once) routes them to the portable oracle instead, to compare
// the two on the whole engine.
#include "gemm.hpp"

#include <cstdlib>
#include <cstring>

#include "kernels/gemm_fast.hpp"

namespace lstmcore::detail {

namespace {

bool plain_path() {
  static const bool plain = [] {
    const char* v = std::getenv("LSTMCORE_GEMM_PATH");
    return v != nullptr && std::strcmp(v, "plain") == 0;
  }();
  return plain;
}

}  // namespace

void gemm(bool trans_a, bool trans_b, Index m, Index n, Index k, float alpha, const float* A,
          Index lda, const float* B, Index ldb, float beta, float* C, Index ldc) {
  if (plain_path()) {
    gemm_plain(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
  } else {
    kernels::gemm_fast(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
  }
}

void gemm(bool trans_a, bool trans_b, Index m, Index n, Index k, double alpha, const double* A,
          Index lda, const double* B, Index ldb, double beta, double* C, Index ldc) {
  if (plain_path()) {
    gemm_plain(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
  } else {
    kernels::gemm_fast(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
  }
}

}  // namespace lstmcore::detail
