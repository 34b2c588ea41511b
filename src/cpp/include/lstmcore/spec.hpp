// RNNSpec: the settings of a stack of recurrent layers (mirrors Python's lstmcore.RNNSpec).
#pragma once

#include "lstmcore/types.hpp"

namespace lstmcore {

enum class Mode { rnn, lstm, gru };
enum class Nonlinearity { tanh, relu };

// Settings of a recurrent stack; sizes and gate orders follow DESIGN.md sections 3 and 4.
//
// The C++ core always works on time-major views [T, B, F]: `batch_first` is carried only so the
// spec mirrors the Python one (pass a strided view to run on batch-first data without a copy).
struct RNNSpec {
  Mode mode = Mode::lstm;
  Index input_size = 0;   // I_0
  Index hidden_size = 0;  // H
  Index num_layers = 1;   // L
  bool bias = true;
  bool batch_first = false;
  double dropout = 0.0;  // inverted dropout on every layer's output but the last (training)
  bool bidirectional = false;
  Index proj_size = 0;  // LSTM only; 0 = no projection
  bool peephole = false;  // LSTM only
  bool coupled = false;   // LSTM only (CIFG: i = 1 - f)
  bool linear_before_reset = true;  // GRU only
  Nonlinearity nonlinearity = Nonlinearity::tanh;  // RNN only

  // G: gate blocks stacked in the rows of weight_ih / weight_hh.
  Index num_gates() const;
  // D: 2 when bidirectional, else 1.
  Index num_directions() const { return bidirectional ? 2 : 1; }
  // P: width of h (proj_size when set, else hidden_size).
  Index output_size() const { return proj_size > 0 ? proj_size : hidden_size; }
  // I_k: input features of layer k (input_size, then D * P).
  Index layer_input_size(Index layer) const;
  // Gates with a peephole weight (3 for lstm, 2 for coupled, 0 without peephole).
  Index num_peepholes() const;
  bool has_cell_state() const { return mode == Mode::lstm; }

  // Throws std::invalid_argument naming the first inconsistent setting.
  void validate() const;

  bool operator==(const RNNSpec& o) const;
  bool operator!=(const RNNSpec& o) const { return !(*this == o); }
};

}  // namespace lstmcore
