// forward() and backward() of a recurrent stack: the C++ entry points of the core.
#pragma once

#include <cstdint>

#include "lstmcore/params.hpp"
#include "lstmcore/spec.hpp"
#include "lstmcore/tape.hpp"
#include "lstmcore/views.hpp"

namespace lstmcore {

// Inputs of forward; every view is time-major and may have any strides.
template <class T>
struct ForwardInputs {
  View3<const T> x;           // [T, B, I_0]
  View3<const T> h0;          // [L*D, B, P] or empty (zeros)
  View3<const T> c0;          // [L*D, B, H] or empty (zeros); LSTM only
  const Index* lengths = nullptr;  // [B] values in [0, T], or nullptr (every sequence T long)
};

// Outputs of forward; the caller owns the memory, the core writes every element.
template <class T>
struct ForwardOutputs {
  View3<T> y;    // [T, B, D*P]; 0 past each length
  View3<T> h_n;  // [L*D, B, P]
  View3<T> c_n;  // [L*D, B, H] (LSTM; may be empty to skip it)
};

// Runs the stack over the sequence. With `tape` (training) the activations are saved there for
// backward and inter-layer dropout is applied with the mask of `seed` (see lstmcore/dropout.py);
// without it (inference) nothing is saved and dropout is off.
// Throws std::invalid_argument when the spec, a parameter, a shape or a length is wrong.
template <class T>
void forward(const RNNSpec& spec, const ParamSet<const T>& params, const ForwardInputs<T>& in,
             const ForwardOutputs<T>& out, Tape<T>* tape = nullptr, std::uint64_t seed = 0);

// Inputs of backward: the gradients of the loss with respect to forward's outputs.
template <class T>
struct BackwardInputs {
  View3<const T> dy;    // [T, B, D*P]
  View3<const T> dh_n;  // [L*D, B, P] or empty (zeros)
  View3<const T> dc_n;  // [L*D, B, H] or empty (zeros); LSTM only
};

// Outputs of backward. Parameter gradients are written into `grads` (every parameter of the
// spec must have a pointer), overwriting them, or adding to them when `accumulate` is set.
template <class T>
struct BackwardOutputs {
  View3<T> dx;   // [T, B, I_0]
  View3<T> dh0;  // [L*D, B, P] (may be empty to skip it)
  View3<T> dc0;  // [L*D, B, H] (LSTM; may be empty to skip it)
  ParamSet<T> grads;
  bool accumulate = false;
};

// Backpropagation through time over the forward recorded in `tape`, with the same parameters.
// The tape is kept (only its state-gradient arrays are rewritten) so it may be reused.
template <class T>
void backward(const RNNSpec& spec, const ParamSet<const T>& params, Tape<T>& tape,
              const BackwardInputs<T>& in, const BackwardOutputs<T>& out);

extern template void forward<float>(const RNNSpec&, const ParamSet<const float>&,
                                    const ForwardInputs<float>&, const ForwardOutputs<float>&,
                                    Tape<float>*, std::uint64_t);
extern template void forward<double>(const RNNSpec&, const ParamSet<const double>&,
                                     const ForwardInputs<double>&, const ForwardOutputs<double>&,
                                     Tape<double>*, std::uint64_t);
extern template void backward<float>(const RNNSpec&, const ParamSet<const float>&, Tape<float>&,
                                     const BackwardInputs<float>&, const BackwardOutputs<float>&);
extern template void backward<double>(const RNNSpec&, const ParamSet<const double>&,
                                      Tape<double>&, const BackwardInputs<double>&,
                                      const BackwardOutputs<double>&);

}  // namespace lstmcore
