// The per-step contract between the algorithm and the cells: "recurrent GEMM + postgemm".
//
// The algorithm calls one forward and one backward step function per cell kind through a
// StepKernels table, so a fused (SIMD or CUDA) kernel can replace an entry without touching the
// algorithm. A step works on the nb rows still running (a prefix of the batch, see tape.hpp).
// Steps never allocate or throw; all buffers come from the caller.
#pragma once

#include "lstmcore/spec.hpp"
#include "lstmcore/types.hpp"

namespace lstmcore::detail {

// What a step needs to know about the cell (derived once from the spec).
struct CellConfig {
  Mode mode = Mode::lstm;
  bool relu = false;                 // rnn
  bool peephole = false;             // lstm
  bool coupled = false;              // lstm
  bool proj = false;                 // lstm (P < H)
  bool linear_before_reset = true;   // gru
  Index G = 0, H = 0, P = 0;
  Index ldg = 0;      // columns of a gates row (G*H, plus H for GRU, see tape.hpp)
  Index ldscratch = 0;  // columns of a scratch row
};

CellConfig make_cell_config(const RNNSpec& spec);

// One layer-direction's recurrent weights (C-contiguous).
template <class T>
struct StepWeights {
  const T* w_hh = nullptr;      // [G*H, P]
  const T* w_hr = nullptr;      // [P, H]   projection, or nullptr
  const T* peephole = nullptr;  // [n*H]    or nullptr
  const T* b_hn = nullptr;      // [H]      GRU linear_before_reset: b_hh of the n rows (the
                                //          other recurrent biases are folded into the x side)
};

template <class T>
struct StepForwardArgs {
  Index nb = 0;             // running rows
  T* gates = nullptr;       // [nb, ldg] in: x side pre-activations with folded biases;
                            //           out: activated gates (+ GRU extra column block)
  const T* h_prev = nullptr;  // [nb, P]
  T* h_new = nullptr;         // [nb, P]
  const T* c_prev = nullptr;  // [nb, H] LSTM
  T* c_new = nullptr;         // [nb, H] LSTM
  T* m = nullptr;             // [nb, H] LSTM with projection: o * tanh(c') before W_hr
  T* scratch = nullptr;       // [nb, ldscratch]
};

template <class T>
struct StepBackwardArgs {
  Index nb = 0;
  const T* gates = nullptr;   // [nb, ldg] saved by the forward step
  const T* h_prev = nullptr;  // [nb, P]
  const T* h_new = nullptr;   // [nb, P]
  const T* c_prev = nullptr;  // [nb, H] LSTM
  const T* c_new = nullptr;   // [nb, H] LSTM
  const T* dh = nullptr;      // [nb, P] total dL/dh_t
  T* dc_total = nullptr;      // [nb, H] out: total dL/dc_t (LSTM)
  T* dc_carry = nullptr;      // [nb, H] in: dL/dc_t via step t+1; out: dL/dc_{t-1} (LSTM)
  T* dgx = nullptr;           // [nb, G*H] out: dL/d(pre-activation), x side
  T* dgh = nullptr;           // [nb, G*H] out: the same for the recurrent product (GRU only;
                              //           equal to dgx for the other cells)
  T* dh_prev = nullptr;       // [nb, P] out: dL/dh_{t-1} through this step
  T* scratch = nullptr;       // [nb, ldscratch]
};

template <class T>
struct StepKernels {
  void (*forward)(const CellConfig&, const StepWeights<T>&, const StepForwardArgs<T>&) = nullptr;
  void (*backward)(const CellConfig&, const StepWeights<T>&, const StepBackwardArgs<T>&) = nullptr;
};

template <class T>
StepKernels<T> select_step_kernels(const CellConfig& cfg);

// The portable step functions (step_rnn.cpp, step_lstm.cpp, step_gru.cpp).
template <class T>
void rnn_step_forward(const CellConfig&, const StepWeights<T>&, const StepForwardArgs<T>&);
template <class T>
void rnn_step_backward(const CellConfig&, const StepWeights<T>&, const StepBackwardArgs<T>&);
template <class T>
void lstm_step_forward(const CellConfig&, const StepWeights<T>&, const StepForwardArgs<T>&);
template <class T>
void lstm_step_backward(const CellConfig&, const StepWeights<T>&, const StepBackwardArgs<T>&);
template <class T>
void gru_step_forward(const CellConfig&, const StepWeights<T>&, const StepForwardArgs<T>&);
template <class T>
void gru_step_backward(const CellConfig&, const StepWeights<T>&, const StepBackwardArgs<T>&);

}  // namespace lstmcore::detail
