// Portable step functions of the vanilla RNN: recurrent GEMM + rnn_cell.hpp pointwise math.
#include "cells/rnn_cell.hpp"
#include "gemm.hpp"
#include "steps/step.hpp"

namespace lstmcore::detail {

template <class T>
void rnn_step_forward(const CellConfig& cfg, const StepWeights<T>& w,
                      const StepForwardArgs<T>& a) {
  const Index H = cfg.H;
  gemm(false, true, a.nb, H, H, T(1), a.h_prev, H, w.w_hh, H, T(0), a.scratch, cfg.ldscratch);
  const RnnFlags fl{cfg.relu};
  for (Index r = 0; r < a.nb; ++r) {
    T* g = a.gates + r * cfg.ldg;
    const T* s = a.scratch + r * cfg.ldscratch;
    T* h = a.h_new + r * H;
    for (Index u = 0; u < H; ++u) {
      g[u] = rnn_unit_forward(fl, g[u] + s[u]);
      h[u] = g[u];
    }
  }
}

template <class T>
void rnn_step_backward(const CellConfig& cfg, const StepWeights<T>& w,
                       const StepBackwardArgs<T>& a) {
  const Index H = cfg.H;
  const RnnFlags fl{cfg.relu};
  for (Index r = 0; r < a.nb; ++r) {
    const T* g = a.gates + r * cfg.ldg;
    const T* dh = a.dh + r * H;
    T* dg = a.dgx + r * H;
    for (Index u = 0; u < H; ++u) dg[u] = rnn_unit_backward(fl, g[u], dh[u]);
  }
  gemm(false, false, a.nb, H, H, T(1), a.dgx, H, w.w_hh, H, T(0), a.dh_prev, H);
}

template void rnn_step_forward<float>(const CellConfig&, const StepWeights<float>&,
                                      const StepForwardArgs<float>&);
template void rnn_step_forward<double>(const CellConfig&, const StepWeights<double>&,
                                       const StepForwardArgs<double>&);
template void rnn_step_backward<float>(const CellConfig&, const StepWeights<float>&,
                                       const StepBackwardArgs<float>&);
template void rnn_step_backward<double>(const CellConfig&, const StepWeights<double>&,
                                        const StepBackwardArgs<double>&);

}  // namespace lstmcore::detail
