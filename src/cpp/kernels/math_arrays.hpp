// Elementwise exp / sigmoid / tanh over arrays with the active ISA's vectorized math.
#pragma once

#include "kernels/gemm_args.hpp"

namespace lstmcore::kernels {

// y[i] = f(x[i]) for i < n; y may alias x.
void exp_array(index_t n, const float* x, float* y);
void exp_array(index_t n, const double* x, double* y);
void sigmoid_array(index_t n, const float* x, float* y);
void sigmoid_array(index_t n, const double* x, double* y);
void tanh_array(index_t n, const float* x, float* y);
void tanh_array(index_t n, const double* x, double* y);

}  // namespace lstmcore::kernels
