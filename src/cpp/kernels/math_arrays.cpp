// Elementwise math over arrays through the active ISA's kernel table.
#include "kernels/math_arrays.hpp"

#include "dispatch/isa.hpp"

namespace lstmcore::kernels {

void exp_array(index_t n, const float* x, float* y) { dispatch::active_kernels().f32.exp(n, x, y); }
void exp_array(index_t n, const double* x, double* y) {
  dispatch::active_kernels().f64.exp(n, x, y);
}
void sigmoid_array(index_t n, const float* x, float* y) {
  dispatch::active_kernels().f32.sigmoid(n, x, y);
}
void sigmoid_array(index_t n, const double* x, double* y) {
  dispatch::active_kernels().f64.sigmoid(n, x, y);
}
void tanh_array(index_t n, const float* x, float* y) {
  dispatch::active_kernels().f32.tanh(n, x, y);
}
void tanh_array(index_t n, const double* x, double* y) {
  dispatch::active_kernels().f64.tanh(n, x, y);
}

}  // namespace lstmcore::kernels
