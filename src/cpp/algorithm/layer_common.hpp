// Pieces of a layer-direction pass shared by the forward and backward algorithms: the step
// weights, the hoisted input projection and the batch order rebuilt from a tape.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "algorithm/batch_order.hpp"
#include "gemm.hpp"
#include "kernels/gemm_fast.hpp"
#include "lstmcore/params.hpp"
#include "lstmcore/tape.hpp"
#include "steps/step.hpp"


namespace lstmcore::detail {

struct WorkspaceFree {
  void operator()(void* p) const { free_array(p); }
};

// An uninitialized buffer of n elements, for what a pass writes in full before reading it
// (allocate_array: huge pages for large ones, which are fresh memory on every call).
template <class T>
class Workspace {
 public:
  void reset(Index n) {
    p_.reset(static_cast<T*>(allocate_array(static_cast<std::size_t>(n > 0 ? n : 1) * sizeof(T))));
  }
  T* data() const { return p_.get(); }

 private:
  std::unique_ptr<T, WorkspaceFree> p_;
};

template <class T>
StepWeights<T> step_weights(const CellConfig& cfg, const LayerParams<const T>& p) {
  StepWeights<T> w;
  w.w_hh = p.weight_hh;
  w.w_hr = cfg.proj ? p.weight_hr : nullptr;
  w.peephole = cfg.peephole ? p.weight_peephole : nullptr;
  if (cfg.mode == Mode::gru && cfg.linear_before_reset && p.bias_hh) w.b_hn = p.bias_hh + 2 * cfg.H;
  return w;
}

// gates[r, 0:G*H] = x[r] W_ih^T + b_ih + b_hh for rows r < rows (x: [rows, I]; gates rows have
// ldg columns). GRU with linear_before_reset keeps b_hh of the n rows for the step (it sits
// inside r * (W_hn h + b_hn)). One GEMM for every step of the sequence.
template <class T>
void input_projection(const CellConfig& cfg, const LayerParams<const T>& p, const T* x,
                      Index rows, Index I, T* gates) {
  const Index GH = cfg.G * cfg.H;
  const bool keep_hn = cfg.mode == Mode::gru && cfg.linear_before_reset;
  // The bias row goes in with the product's first k block: one pass over the (large, cold)
  // gates instead of a fill, then a read-modify-write (the same bits: bias + x W^T).
  std::vector<T> bias(static_cast<std::size_t>(GH), T(0));
  if (p.bias_ih) {
    for (Index c = 0; c < GH; ++c) bias[c] = p.bias_ih[c] + p.bias_hh[c];
    if (keep_hn)
      for (Index c = 2 * cfg.H; c < GH; ++c) bias[c] = p.bias_ih[c];
  }
  kernels::GemmArgs<T> g{false, true, rows, GH, I, T(1), x, I, p.weight_ih, I, T(0), gates,
                         cfg.ldg};
  g.bias = bias.data();
  kernels::gemm_fast(g);
}

template <class T>
BatchOrder batch_order_of(const TapeStorage<T>& ts) {
  BatchOrder o;
  o.T = ts.seq_len;
  o.B = ts.batch;
  o.perm = ts.perm;
  o.len = ts.sorted_lengths;
  o.active = ts.active;
  return o;
}

}  // namespace lstmcore::detail
