// Portable step functions of the LSTM (peephole, coupled, projection): recurrent GEMM +
// lstm_cell.hpp pointwise math (+ the projection GEMM).
#include "cells/lstm_cell.hpp"
#include "gemm.hpp"
#include "steps/step.hpp"

namespace lstmcore::detail {

namespace {

// Column offsets of the gate blocks in a row (coupled rows have no i block: f, g, o).
struct LstmLayout {
  Index i, f, g, o;        // gate block offsets (i unused when coupled)
  Index pi, pf, po;        // peephole block offsets (pi unused when coupled)
  explicit LstmLayout(const CellConfig& c) {
    const Index H = c.H;
    if (c.coupled) {
      i = -1, f = 0, g = H, o = 2 * H;
      pi = -1, pf = 0, po = H;
    } else {
      i = 0, f = H, g = 2 * H, o = 3 * H;
      pi = 0, pf = H, po = 2 * H;
    }
  }
};

template <class T>
LstmPeep<T> peep_of(const CellConfig& c, const LstmLayout& L, const T* p, Index u) {
  LstmPeep<T> pp;
  if (c.peephole) {
    if (!c.coupled) pp.i = p[L.pi + u];
    pp.f = p[L.pf + u];
    pp.o = p[L.po + u];
  }
  return pp;
}

}  // namespace

template <class T>
void lstm_step_forward(const CellConfig& cfg, const StepWeights<T>& w,
                       const StepForwardArgs<T>& a) {
  const Index H = cfg.H, P = cfg.P, GH = cfg.G * cfg.H;
  const LstmLayout L(cfg);
  const LstmFlags fl{cfg.peephole, cfg.coupled};
  gemm(false, true, a.nb, GH, P, T(1), a.h_prev, P, w.w_hh, P, T(0), a.scratch, cfg.ldscratch);
  T* m_out = cfg.proj ? a.m : a.h_new;  // without projection m is h'
  for (Index r = 0; r < a.nb; ++r) {
    T* g = a.gates + r * cfg.ldg;
    const T* s = a.scratch + r * cfg.ldscratch;
    const T* cp = a.c_prev + r * H;
    T* cn = a.c_new + r * H;
    T* m = m_out + r * H;
    for (Index u = 0; u < H; ++u) {
      const T a_i = cfg.coupled ? T(0) : g[L.i + u] + s[L.i + u];
      const LstmGates<T> st =
          lstm_unit_forward(fl, a_i, g[L.f + u] + s[L.f + u], g[L.g + u] + s[L.g + u],
                            g[L.o + u] + s[L.o + u], cp[u], peep_of(cfg, L, w.peephole, u),
                            cn[u], m[u]);
      if (!cfg.coupled) g[L.i + u] = st.i;
      g[L.f + u] = st.f;
      g[L.g + u] = st.g;
      g[L.o + u] = st.o;
    }
  }
  if (cfg.proj) gemm(false, true, a.nb, P, H, T(1), a.m, H, w.w_hr, H, T(0), a.h_new, P);
}

template <class T>
void lstm_step_backward(const CellConfig& cfg, const StepWeights<T>& w,
                        const StepBackwardArgs<T>& a) {
  const Index H = cfg.H, P = cfg.P, GH = cfg.G * cfg.H;
  const LstmLayout L(cfg);
  const LstmFlags fl{cfg.peephole, cfg.coupled};
  const T* dm_all = a.dh;
  Index ldm = P;
  if (cfg.proj) {
    // dm = dh W_hr: back through the projection first.
    T* dm = a.scratch + GH;
    gemm(false, false, a.nb, H, P, T(1), a.dh, P, w.w_hr, H, T(0), dm, cfg.ldscratch);
    dm_all = dm;
    ldm = cfg.ldscratch;
  }
  for (Index r = 0; r < a.nb; ++r) {
    const T* g = a.gates + r * cfg.ldg;
    const T* cp = a.c_prev + r * H;
    const T* cn = a.c_new + r * H;
    const T* dm = dm_all + r * ldm;
    T* dct = a.dc_total + r * H;
    T* dcc = a.dc_carry + r * H;
    T* dg = a.dgx + r * GH;
    for (Index u = 0; u < H; ++u) {
      LstmGates<T> st;
      st.f = g[L.f + u];
      st.i = cfg.coupled ? T(1) - st.f : g[L.i + u];
      st.g = g[L.g + u];
      st.o = g[L.o + u];
      T da_i, da_f, da_g, da_o, dc_prev;
      lstm_unit_backward(fl, st, cp[u], cn[u], peep_of(cfg, L, w.peephole, u), dm[u], dcc[u],
                         da_i, da_f, da_g, da_o, dct[u], dc_prev);
      if (!cfg.coupled) dg[L.i + u] = da_i;
      dg[L.f + u] = da_f;
      dg[L.g + u] = da_g;
      dg[L.o + u] = da_o;
      dcc[u] = dc_prev;
    }
  }
  gemm(false, false, a.nb, P, GH, T(1), a.dgx, GH, w.w_hh, P, T(0), a.dh_prev, P);
}

template void lstm_step_forward<float>(const CellConfig&, const StepWeights<float>&,
                                       const StepForwardArgs<float>&);
template void lstm_step_forward<double>(const CellConfig&, const StepWeights<double>&,
                                        const StepForwardArgs<double>&);
template void lstm_step_backward<float>(const CellConfig&, const StepWeights<float>&,
                                        const StepBackwardArgs<float>&);
template void lstm_step_backward<double>(const CellConfig&, const StepWeights<double>&,
                                         const StepBackwardArgs<double>&);

}  // namespace lstmcore::detail
