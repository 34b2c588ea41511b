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
  const T* h0 = nullptr;  // [B, P] the initial state
  T* h_out = nullptr;     // [T, B, P] the state after each step
  T* c = nullptr;         // [slots, B, H] LSTM: c[0] the initial cell state, then step s's
  Index c_slots = 0;      // in slot (s + 1) % c_slots, or s + 1 when 0 (a tape keeps them all)
  T* m = nullptr;         // [T, B, H] LSTM with projection
};

// The cell state slot after s steps (0: the initial one) in a buffer of `slots` (0: unbounded).
inline Index c_slot(Index s, Index slots) { return slots > 0 ? s % slots : s; }

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
