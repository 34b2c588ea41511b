// Umbrella header of the lstmcore C++ library.
//
// A training step from C++ (time-major arrays; any strides through lstmcore::View):
//
//   lstmcore::RNNSpec spec;                       // an LSTM, I = 8, H = 16
//   spec.mode = lstmcore::Mode::lstm;
//   spec.input_size = 8;
//   spec.hidden_size = 16;
//   lstmcore::ParamSet<const float> params(spec);  // point entries[0].weight_ih ... at weights
//   lstmcore::ForwardInputs<float> in;
//   in.x = lstmcore::contiguous_view<const float, 3>(x, {T, B, 8});
//   lstmcore::ForwardOutputs<float> out;           // y [T, B, 16], h_n, c_n [1, B, 16]
//   lstmcore::Tape<float> tape;
//   lstmcore::forward(spec, params, in, out, &tape, /*seed=*/1);
//   lstmcore::BackwardInputs<float> din;           // din.dy = dL/dy
//   lstmcore::BackwardOutputs<float> dout;         // dout.dx, dout.grads (ParamSet<float>)
//   lstmcore::backward(spec, params, tape, din, dout);
#pragma once

#include "lstmcore/build_info.hpp"
#include "lstmcore/functional.hpp"
#include "lstmcore/model.hpp"
#include "lstmcore/params.hpp"
#include "lstmcore/spec.hpp"
#include "lstmcore/tape.hpp"
#include "lstmcore/types.hpp"
#include "lstmcore/views.hpp"
#include "lstmcore/weights_file.hpp"
