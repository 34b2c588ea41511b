// Fused recurrent steps: recurrent weights packed once per pass into gate-interleaved tiles, a
// register-tiled product per tile followed at once by the cell's math on that hot tile, and
// vectorized backward pointwise math. One table of these per ISA (fused_isa.hpp builds it).
//
// Work is split into ranges of tiles (or units) so that the algorithm can hand ranges to threads;
// every output element is computed by the same instructions whatever the split, so results are
// bitwise identical for any thread count.
#pragma once

#include "steps/step.hpp"

namespace lstmcore::detail::fused {

// A right-hand operand packed as tiles. Tile t holds, for k in [0, K), the hb units
// [t*hb, t*hb + hb) of each of the G gates, padded with zeros past H: data[t][k][g][hb].
template <class T>
struct Packed {
  T* data = nullptr;
  Index K = 0, G = 1, H = 0, hb = 0, tiles = 0;
  Index tile_size() const { return K * G * hb; }
};

// Where a pack reads from: column (g, u) of the operand is n = g * gate_stride + u, and its
// element k is w[n * ldw + k] (n_major, a weight matrix as stored) or w[k * ldw + n].
template <class T>
struct PackSource {
  const T* w = nullptr;
  Index ldw = 0;
  bool n_major = true;
  Index gate_stride = 0;
};

// c[r, 0:H] (+)= a[r, 0:K] x packed, for r < rows.
template <class T>
struct DenseTask {
  const T* a = nullptr;
  Index lda = 0;
  Index rows = 0;
  const Packed<T>* b = nullptr;
  T* c = nullptr;
  Index ldc = 0;
  bool accumulate = false;
};

// One forward step of a cell on the running rows.
template <class T>
struct ForwardTask {
  const CellConfig* cfg = nullptr;
  Index nb = 0;
  bool training = false;      // store the activated gates (the tape's copy)
  const Packed<T>* w = nullptr;  // recurrent weights (GRU Cho: the r, z rows only)
  const Packed<T>* w_n = nullptr;  // GRU Cho: the n rows
  const T* peephole = nullptr;
  const T* b_hn = nullptr;
  T* gates = nullptr;         // [nb, ldg] x side in; activated gates out when training
  const T* h_prev = nullptr;  // [nb, P]
  T* h_new = nullptr;         // [nb, P]
  const T* c_prev = nullptr;  // [nb, H]
  T* c_new = nullptr;         // [nb, H]
  T* m = nullptr;             // [nb, H] LSTM with projection
};

// One backward step's pointwise work on the running rows.
template <class T>
struct BackwardTask {
  const CellConfig* cfg = nullptr;
  Index nb = 0;
  const T* gates = nullptr;     // [nb, ldg]
  const T* h_prev = nullptr;    // [nb, P]
  const T* c_prev = nullptr;    // [nb, H]
  const T* c_new = nullptr;     // [nb, H]
  const T* peephole = nullptr;
  const T* dy = nullptr;        // [nb, P] the output's gradient at this step
  T* dh = nullptr;              // [nb, P] out: dy + dh_carry (the tape's total dL/dh_t)
  T* dh_carry = nullptr;        // [nb, P] in: dL/dh_t via step t+1; out (GRU): direct part
  const T* dm = nullptr;        // [nb, ldm] LSTM with projection: dL/dm (else dh is used)
  Index ldm = 0;
  T* dc_total = nullptr;        // [nb, H]
  T* dc_carry = nullptr;        // [nb, H] in: via step t+1; out: dL/dc_{t-1}
  T* dgx = nullptr;             // [nb, G*H]
  T* dgh = nullptr;             // [nb, G*H] GRU linear_before_reset
  const T* d_rh = nullptr;      // [nb, ldm] GRU Cho: dL/d(r*h) = da_n W_hn
};

template <class T>
struct Ops {
  // Units per tile for a product of G gates.
  Index (*tile_units)(Index G);
  void (*pack)(const PackSource<T>& src, const Packed<T>& dst, Index t0, Index t1);
  void (*dense)(const DenseTask<T>& task, Index t0, Index t1);
  // LSTM, RNN, GRU linear_before_reset; GRU Cho: r, z and r*h (phase 1).
  void (*forward)(const ForwardTask<T>& task, Index t0, Index t1);
  // GRU Cho phase 2: n and h'.
  void (*forward_gru_n)(const ForwardTask<T>& task, Index t0, Index t1);
  // dh = dy + dh_carry for columns [c0, c1) (LSTM with projection, before dm).
  void (*add_dh)(const BackwardTask<T>& task, Index c0, Index c1);
  // The step's pointwise gradients for units [u0, u1) (dh included unless projected).
  void (*backward)(const BackwardTask<T>& task, Index u0, Index u1);
  // GRU Cho: r's gradient and dh_prev's r * d(r*h) term, units [u0, u1).
  void (*backward_gru_reset)(const BackwardTask<T>& task, Index u0, Index u1);
};

// The table of the active ISA (dispatch::active_isa()).
template <class T>
const Ops<T>& active_ops();

// Per-ISA tables (fused_isa.hpp), defined only for the ISAs compiled in.
const Ops<float>& ops_f32_baseline();
const Ops<double>& ops_f64_baseline();
const Ops<float>& ops_f32_avx2();
const Ops<double>& ops_f64_avx2();
const Ops<float>& ops_f32_avx512();
const Ops<double>& ops_f64_avx512();

}  // namespace lstmcore::detail::fused
