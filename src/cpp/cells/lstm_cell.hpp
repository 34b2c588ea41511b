// LSTM cell, pointwise part, with the peephole and coupled (CIFG) flags.
//
// Gate rows: i, f, g, o (coupled: f, g, o). a_x = W_ix x + b_ix + W_hx h + b_hx (products summed
// before the call).
//   i = sig(a_i + p_i * c)      (coupled: i = 1 - f)
//   f = sig(a_f + p_f * c)
//   g = tanh(a_g)
//   c' = f * c + i * g
//   o = sig(a_o + p_o * c')     peephole on the NEW cell
//   m = o * tanh(c')            h' = m, or h' = W_hr m with a projection (done by the step)
// p_* are 0 without peephole.
#pragma once

#include "cells/cell_math.hpp"

namespace lstmcore::detail {

struct LstmFlags {
  bool peephole = false;
  bool coupled = false;
};

template <class T>
struct LstmGates {
  T i, f, g, o;
};

template <class T>
struct LstmPeep {
  T i = T(0), f = T(0), o = T(0);
};

// Forward, one unit. Returns the activated gates; writes c' and m.
template <class T>
LSTMCORE_HD inline LstmGates<T> lstm_unit_forward(LstmFlags fl, T a_i, T a_f, T a_g, T a_o,
                                                  T c_prev, LstmPeep<T> p, T& c_new, T& m) {
  LstmGates<T> s;
  s.f = sigmoid(a_f + p.f * c_prev);
  s.i = fl.coupled ? T(1) - s.f : sigmoid(a_i + p.i * c_prev);
  s.g = tanh_act(a_g);
  c_new = s.f * c_prev + s.i * s.g;
  s.o = sigmoid(a_o + p.o * c_new);
  m = s.o * tanh_act(c_new);
  return s;
}

// Backward, one unit. dm = dL/dm, dc_next = dL/dc' through the following step. Writes the
// pre-activation gradients (da_i unused when coupled), dc = total dL/dc', dc_prev = dL/dc.
template <class T>
LSTMCORE_HD inline void lstm_unit_backward(LstmFlags fl, LstmGates<T> s, T c_prev, T c_new,
                                           LstmPeep<T> p, T dm, T dc_next, T& da_i, T& da_f,
                                           T& da_g, T& da_o, T& dc, T& dc_prev) {
  const T tc = tanh_act(c_new);
  da_o = dm * tc * dsigmoid_from_y(s.o);
  dc = dc_next + dm * s.o * dtanh_from_y(tc) + da_o * p.o;
  da_g = dc * s.i * dtanh_from_y(s.g);
  if (fl.coupled) {
    // c' = f c + (1 - f) g: f appears twice.
    da_f = dc * (c_prev - s.g) * dsigmoid_from_y(s.f);
    da_i = T(0);
  } else {
    da_f = dc * c_prev * dsigmoid_from_y(s.f);
    da_i = dc * s.g * dsigmoid_from_y(s.i);
  }
  dc_prev = dc * s.f + da_i * p.i + da_f * p.f;
}

}  // namespace lstmcore::detail
