// GRU cell, pointwise part, both reset conventions.
//
// Gate rows: r, z, n. x_* = W_*x x + b_*x, h_* = W_*h h + b_*h.
//   r = sig(x_r + h_r), z = sig(x_z + h_z)
//   linear_before_reset (PyTorch, cuDNN):  n = tanh(x_n + r * h_n)
//   reset before the product (Cho 2014):   n = tanh(x_n + W_nh (r * h) + b_nh)
//   h' = (1 - z) * n + z * h      (PyTorch/ONNX convention; some texts swap z and 1 - z)
#pragma once

#include "cells/cell_math.hpp"

namespace lstmcore::detail {

template <class T>
struct GruGates {
  T r, z, n;
};

// Phase 1 (both conventions): r and z from their summed pre-activations.
template <class T>
LSTMCORE_HD inline void gru_unit_reset_update(T a_r, T a_z, T& r, T& z) {
  r = sigmoid(a_r);
  z = sigmoid(a_z);
}

// Phase 2: n from its pre-activation a_n (already holding r's effect), then h'.
template <class T>
LSTMCORE_HD inline T gru_unit_output(T a_n, T z, T h_prev, T& n) {
  n = tanh_act(a_n);
  return (T(1) - z) * n + z * h_prev;
}

// Backward phase 1 (both conventions): from dL/dh' -> dL/da_z, dL/da_n and the direct
// dL/dh_prev = dh * z.
template <class T>
LSTMCORE_HD inline void gru_unit_backward_output(GruGates<T> s, T h_prev, T dh, T& da_z,
                                                 T& da_n, T& dh_prev_direct) {
  da_n = dh * (T(1) - s.z) * dtanh_from_y(s.n);
  da_z = dh * (h_prev - s.n) * dsigmoid_from_y(s.z);
  dh_prev_direct = dh * s.z;
}

// Backward phase 2, linear_before_reset: a_n = x_n + r * hn_lin. Returns dL/da_r; writes
// dL/d(hn_lin) (the recurrent product's gradient for the n rows).
template <class T>
LSTMCORE_HD inline T gru_unit_backward_reset_lbr(T r, T hn_lin, T da_n, T& dhn_lin) {
  dhn_lin = da_n * r;
  return da_n * hn_lin * dsigmoid_from_y(r);
}

// Backward phase 2, reset before the product: given d(r*h) = W_nh^T da_n, returns dL/da_r and
// adds r * d(r*h) to dh_prev.
template <class T>
LSTMCORE_HD inline T gru_unit_backward_reset_cho(T r, T h_prev, T d_rh, T& dh_prev) {
  dh_prev += d_rh * r;
  return d_rh * h_prev * dsigmoid_from_y(r);
}

}  // namespace lstmcore::detail
