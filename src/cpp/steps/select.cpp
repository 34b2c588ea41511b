// Derives the cell configuration from a spec and picks the step functions of its cell kind.
#include "steps/step.hpp"

namespace lstmcore::detail {

CellConfig make_cell_config(const RNNSpec& spec) {
  CellConfig c;
  c.mode = spec.mode;
  c.relu = spec.mode == Mode::rnn && spec.nonlinearity == Nonlinearity::relu;
  c.peephole = spec.mode == Mode::lstm && spec.peephole;
  c.coupled = spec.mode == Mode::lstm && spec.coupled;
  c.proj = spec.mode == Mode::lstm && spec.proj_size > 0;
  c.linear_before_reset = spec.linear_before_reset;
  c.G = spec.num_gates();
  c.H = spec.hidden_size;
  c.P = spec.output_size();
  // GRU keeps one more block per row: W_hn h + b_hn (linear_before_reset) or r * h (Cho).
  c.ldg = c.G * c.H + (spec.mode == Mode::gru ? c.H : 0);
  // Recurrent products of all gates, plus one H block (GRU's n product, LSTM's dm).
  c.ldscratch = c.G * c.H + c.H;
  return c;
}

template <class T>
StepKernels<T> select_step_kernels(const CellConfig& cfg) {
  StepKernels<T> k;
  switch (cfg.mode) {
    case Mode::rnn:
      k.forward = &rnn_step_forward<T>;
      k.backward = &rnn_step_backward<T>;
      break;
    case Mode::lstm:
      k.forward = &lstm_step_forward<T>;
      k.backward = &lstm_step_backward<T>;
      break;
    case Mode::gru:
      k.forward = &gru_step_forward<T>;
      k.backward = &gru_step_backward<T>;
      break;
  }
  return k;
}

template StepKernels<float> select_step_kernels<float>(const CellConfig&);
template StepKernels<double> select_step_kernels<double>(const CellConfig&);

}  // namespace lstmcore::detail
