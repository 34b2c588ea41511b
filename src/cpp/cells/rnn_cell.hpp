// Vanilla RNN cell, pointwise part: h' = act(a), a = W_ih x + b_ih + W_hh h + b_hh.
// One gate block "h"; act is tanh or relu.
#pragma once

#include "cells/cell_math.hpp"

namespace lstmcore::detail {

struct RnnFlags {
  bool relu = false;
};

// Forward, one unit: the pre-activation a (both products and biases summed) -> h'.
template <class T>
LSTMCORE_HD inline T rnn_unit_forward(RnnFlags fl, T a) {
  // Written so that NaN comes through (as in NumPy's maximum and PyTorch's relu): a > 0 would
  // turn NaN into 0 and hide a diverged input.
  if (fl.relu) return a <= T(0) ? T(0) : a;
  return tanh_act(a);
}

// Backward, one unit: dL/da from dL/dh' and the saved output h'.
template <class T>
LSTMCORE_HD inline T rnn_unit_backward(RnnFlags fl, T h_new, T dh) {
  if (fl.relu) return h_new > T(0) ? dh : T(0);
  return dh * dtanh_from_y(h_new);
}

}  // namespace lstmcore::detail
