// Scalar helpers shared by the cell headers (sigmoid, tanh, relu and their derivatives).
#pragma once

#include <cmath>

// Cell math compiles for the host now and for CUDA device code later.
#if defined(__CUDACC__)
#define LSTMCORE_HD __host__ __device__
#else
#define LSTMCORE_HD
#endif

namespace lstmcore::detail {

template <class T>
LSTMCORE_HD inline T sigmoid(T x) {
  // Split by sign so exp never overflows (exp(-x) for x >= 0, exp(x) for x < 0).
  if (x >= T(0)) {
    const T e = std::exp(-x);
    return T(1) / (T(1) + e);
  }
  const T e = std::exp(x);
  return e / (T(1) + e);
}

template <class T>
LSTMCORE_HD inline T tanh_act(T x) {
  return std::tanh(x);
}

// Derivatives written in terms of the activation's output y (what the tape keeps).
template <class T>
LSTMCORE_HD inline T dsigmoid_from_y(T y) {
  return y * (T(1) - y);
}

template <class T>
LSTMCORE_HD inline T dtanh_from_y(T y) {
  return T(1) - y * y;
}

}  // namespace lstmcore::detail
