// The time loop of one layer-direction on the fused step kernels (steps/fused): weights packed
// once per pass, all steps in one parallel region split over hidden-unit tiles.
#pragma once

#include "algorithm/batch_order.hpp"
#include "steps/step.hpp"

namespace lstmcore::detail {

// False when LSTMCORE_STEP_PATH=portable (read at each call, so tests can switch): the portable
// step functions then run, as the oracle of the fused ones.
bool fused_steps_enabled();

template <class T>
struct ForwardPassArgs {
  const CellConfig* cfg = nullptr;
  StepWeights<T> w;
  const BatchOrder* order = nullptr;
  bool training = false;
  T* gates = nullptr;  // [T, B, ldg] x side; activated gates out when training
  T* h = nullptr;      // [T + 1, B, P], h[0] the initial state
  T* c = nullptr;      // [T + 1, B, H] LSTM
  T* m = nullptr;      // [T, B, H] LSTM with projection
};

template <class T>
struct BackwardPassArgs {
  const CellConfig* cfg = nullptr;
  StepWeights<T> w;
  const BatchOrder* order = nullptr;
  const T* gates = nullptr;  // the tape's, as in ForwardPassArgs
  const T* h = nullptr;
  const T* c = nullptr;
  const T* dy = nullptr;     // [T, B, P] in scan order
  T* dh = nullptr;           // [T, B, P] out: total dL/dh_t
  T* dc = nullptr;           // [T, B, H] out: total dL/dc_t (LSTM)
  T* dh_carry = nullptr;     // [B, P] in: dL/dh_n; out: dL/dh_0
  T* dc_carry = nullptr;     // [B, H] likewise for c (LSTM)
  T* dgx = nullptr;          // [T, B, G*H] out (zero past the running rows)
  T* dgh = nullptr;          // [T, B, G*H] GRU linear_before_reset; else dgx
};

template <class T>
void fused_forward_pass(const ForwardPassArgs<T>& a);
template <class T>
void fused_backward_pass(const BackwardPassArgs<T>& a);

}  // namespace lstmcore::detail
