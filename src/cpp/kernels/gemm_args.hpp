// The argument block of one row-major matrix product C = alpha op(A) op(B) + beta C.
#pragma once

#include <cstdint>

namespace lstmcore::kernels {

using index_t = std::int64_t;  // the same type as lstmcore::Index

// op(A) is m x k, op(B) is k x n, C is m x n; all row-major with leading dimensions
// (row strides, in elements) lda, ldb, ldc. op(X) = X^T when trans_x.
template <class T>
struct GemmArgs {
  bool trans_a;
  bool trans_b;
  index_t m, n, k;
  T alpha;
  const T* a;  // [m, k] (trans_a: [k, m])
  index_t lda;
  const T* b;  // [k, n] (trans_b: [n, k])
  index_t ldb;
  T beta;
  T* c;  // [m, n]
  index_t ldc;
  // Optional [n] row added to every row of C with the first k block, in place of beta C (beta
  // must then be 0): C = bias + alpha op(A) op(B) in one pass over C, the same bits as filling
  // C with the bias and calling with beta = 1.
  const T* bias = nullptr;
  // Optional op(B) already packed by the kernel table's pack_b (all k and n, in the order the
  // kernel reads it), shared by the threads that split C's rows instead of each packing it.
  const T* packed_b = nullptr;
};

}  // namespace lstmcore::kernels
