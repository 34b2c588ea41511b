// Portable step functions of the GRU, both reset conventions: recurrent GEMMs + gru_cell.hpp
// pointwise math.
//
// Gates row (ldg = 4H): r, z, n activated, then one extra block: W_hn h + b_hn
// (linear_before_reset) or r * h (Cho), which the backward step and the weight gradients read.
#include "cells/gru_cell.hpp"
#include "gemm.hpp"
#include "steps/step.hpp"

namespace lstmcore::detail {

template <class T>
void gru_step_forward(const CellConfig& cfg, const StepWeights<T>& w,
                      const StepForwardArgs<T>& a) {
  const Index H = cfg.H, ldg = cfg.ldg, lds = cfg.ldscratch;
  if (cfg.linear_before_reset) {
    gemm(false, true, a.nb, 3 * H, H, T(1), a.h_prev, H, w.w_hh, H, T(0), a.scratch, lds);
    for (Index r = 0; r < a.nb; ++r) {
      T* g = a.gates + r * ldg;
      const T* s = a.scratch + r * lds;
      const T* hp = a.h_prev + r * H;
      T* hn = a.h_new + r * H;
      for (Index u = 0; u < H; ++u) {
        const T hn_lin = s[2 * H + u] + (w.b_hn ? w.b_hn[u] : T(0));
        T rr, zz, nn;
        gru_unit_reset_update(g[u] + s[u], g[H + u] + s[H + u], rr, zz);
        hn[u] = gru_unit_output(g[2 * H + u] + rr * hn_lin, zz, hp[u], nn);
        g[u] = rr;
        g[H + u] = zz;
        g[2 * H + u] = nn;
        g[3 * H + u] = hn_lin;
      }
    }
    return;
  }
  // Cho: r and z first, then the n product over r * h.
  gemm(false, true, a.nb, 2 * H, H, T(1), a.h_prev, H, w.w_hh, H, T(0), a.scratch, lds);
  for (Index r = 0; r < a.nb; ++r) {
    T* g = a.gates + r * ldg;
    const T* s = a.scratch + r * lds;
    const T* hp = a.h_prev + r * H;
    for (Index u = 0; u < H; ++u) {
      T rr, zz;
      gru_unit_reset_update(g[u] + s[u], g[H + u] + s[H + u], rr, zz);
      g[u] = rr;
      g[H + u] = zz;
      g[3 * H + u] = rr * hp[u];
    }
  }
  T* n_prod = a.scratch + 2 * H;
  gemm(false, true, a.nb, H, H, T(1), a.gates + 3 * H, ldg, w.w_hh + 2 * H * H, H, T(0), n_prod,
       lds);
  for (Index r = 0; r < a.nb; ++r) {
    T* g = a.gates + r * ldg;
    const T* s = n_prod + r * lds;
    const T* hp = a.h_prev + r * H;
    T* hn = a.h_new + r * H;
    for (Index u = 0; u < H; ++u) {
      T nn;
      hn[u] = gru_unit_output(g[2 * H + u] + s[u], g[H + u], hp[u], nn);
      g[2 * H + u] = nn;
    }
  }
}

template <class T>
void gru_step_backward(const CellConfig& cfg, const StepWeights<T>& w,
                       const StepBackwardArgs<T>& a) {
  const Index H = cfg.H, ldg = cfg.ldg, GH = 3 * H;
  for (Index r = 0; r < a.nb; ++r) {
    const T* g = a.gates + r * ldg;
    const T* hp = a.h_prev + r * H;
    const T* dh = a.dh + r * H;
    T* dgx = a.dgx + r * GH;
    T* dgh = a.dgh + r * GH;
    T* dhp = a.dh_prev + r * H;
    for (Index u = 0; u < H; ++u) {
      const GruGates<T> st{g[u], g[H + u], g[2 * H + u]};
      T da_z, da_n;
      gru_unit_backward_output(st, hp[u], dh[u], da_z, da_n, dhp[u]);
      dgx[H + u] = da_z;
      dgx[2 * H + u] = da_n;
      if (cfg.linear_before_reset) {
        T dhn_lin;
        const T da_r = gru_unit_backward_reset_lbr(st.r, g[3 * H + u], da_n, dhn_lin);
        dgx[u] = da_r;
        dgh[u] = da_r;
        dgh[H + u] = da_z;
        dgh[2 * H + u] = dhn_lin;
      }
    }
  }
  if (cfg.linear_before_reset) {
    gemm(false, false, a.nb, H, GH, T(1), a.dgh, GH, w.w_hh, H, T(1), a.dh_prev, H);
    return;
  }
  // Cho: d(r*h) = da_n W_hn, then r's gradient, then the r and z products.
  T* d_rh = a.scratch;
  gemm(false, false, a.nb, H, H, T(1), a.dgx + 2 * H, GH, w.w_hh + 2 * H * H, H, T(0), d_rh,
       cfg.ldscratch);
  for (Index r = 0; r < a.nb; ++r) {
    const T* g = a.gates + r * ldg;
    const T* hp = a.h_prev + r * H;
    const T* drh = d_rh + r * cfg.ldscratch;
    T* dgx = a.dgx + r * GH;
    T* dhp = a.dh_prev + r * H;
    for (Index u = 0; u < H; ++u) dgx[u] = gru_unit_backward_reset_cho(g[u], hp[u], drh[u], dhp[u]);
  }
  gemm(false, false, a.nb, H, 2 * H, T(1), a.dgx, GH, w.w_hh, H, T(1), a.dh_prev, H);
}

template void gru_step_forward<float>(const CellConfig&, const StepWeights<float>&,
                                      const StepForwardArgs<float>&);
template void gru_step_forward<double>(const CellConfig&, const StepWeights<double>&,
                                       const StepForwardArgs<double>&);
template void gru_step_backward<float>(const CellConfig&, const StepWeights<float>&,
                                       const StepBackwardArgs<float>&);
template void gru_step_backward<double>(const CellConfig&, const StepWeights<double>&,
                                        const StepBackwardArgs<double>&);

}  // namespace lstmcore::detail
