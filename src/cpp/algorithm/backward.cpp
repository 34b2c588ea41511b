// The backward algorithm (BPTT): stack in reverse -> layer-direction scan in reverse -> step.
//
// Per layer and direction, the time loop does only what the recurrence needs: the step's
// pointwise gate gradients and dh_{t-1}, dc_{t-1}. Everything that is a sum over time — the
// weight and bias gradients and the gradient of the layer input — is one GEMM (or reduction)
// over all T*B rows after the loop; rows past a sequence's length hold zero gate gradients.
#include <stdexcept>
#include <vector>

#include "algorithm/dropout_mask.hpp"
#include "algorithm/fused_pass.hpp"
#include "algorithm/layer_common.hpp"
#include "algorithm/side_by_side.hpp"
#include "algorithm/validate.hpp"
#include "lstmcore/functional.hpp"

namespace lstmcore {

namespace {

using detail::BatchOrder;
using detail::CellConfig;

// The workspaces of one layer-direction pass of the backward.
template <class T>
struct DirWork {
  detail::Workspace<T> dy_scan, dgx, dgh, dx_scan;
  std::vector<T> dh_carry, dc_carry, scratch;
};

// out[c] (+)= sum over rows of a[r, col + c]  (rows x W block of a [rows, lda]).
template <class T>
void column_sums(const T* a, Index rows, Index lda, Index col, Index W, T* out, bool add) {
  if (!add) std::fill(out, out + W, T(0));
  for (Index r = 0; r < rows; ++r) {
    const T* row = a + r * lda + col;
    for (Index c = 0; c < W; ++c) out[c] += row[c];
  }
}

// out[c] (+)= sum over rows of a[r, col + c] * b[r, c]  (peephole gradients).
template <class T>
void product_sums(const T* a, Index lda, Index col, const T* b, Index rows, Index W, T* out,
                  bool add) {
  if (!add) std::fill(out, out + W, T(0));
  for (Index r = 0; r < rows; ++r) {
    const T* ar = a + r * lda + col;
    const T* br = b + r * W;
    for (Index c = 0; c < W; ++c) out[c] += ar[c] * br[c];
  }
}

// Gradients of one layer-direction's parameters from the gate gradients of all steps.
template <class T>
void weight_gradients(const CellConfig& cfg, const detail::LayerDirTape<T>& lt, const T* dgx,
                      const T* dgh, const T* xs, Index rows, Index batch, Index I, const LayerParams<T>& g,
                      bool add) {
  const Index H = cfg.H, P = cfg.P, GH = cfg.G * H;
  const T beta = add ? T(1) : T(0);
  detail::gemm(true, false, GH, I, rows, T(1), dgx, GH, xs, I, beta, g.weight_ih, I);
  // h[0:T] are the states each step read.
  const T* h_prev = lt.h.data();
  if (cfg.mode == Mode::gru && !cfg.linear_before_reset) {
    // Cho's n rows multiply r * h (kept in the gates' extra block), not h.
    detail::gemm(true, false, 2 * H, P, rows, T(1), dgx, GH, h_prev, P, beta, g.weight_hh, P);
    detail::gemm(true, false, H, P, rows, T(1), dgx + 2 * H, GH, lt.gates.data() + 3 * H,
                 cfg.ldg, beta, g.weight_hh + 2 * H * P, P);
  } else {
    detail::gemm(true, false, GH, P, rows, T(1), dgh, GH, h_prev, P, beta, g.weight_hh, P);
  }
  if (g.bias_ih) {
    column_sums(dgx, rows, GH, 0, GH, g.bias_ih, add);
    if (dgh != dgx || add) {
      column_sums(dgh, rows, GH, 0, GH, g.bias_hh, add);
    } else {
      // The same sums as bias_ih's: a copy, not a second pass over the gates' gradients.
      std::copy(g.bias_ih, g.bias_ih + GH, g.bias_hh);
    }
  }
  if (cfg.proj)
    detail::gemm(true, false, P, H, rows, T(1), lt.dh.data(), P, lt.m.data(), H, beta,
                 g.weight_hr, H);
  if (cfg.peephole) {
    // Rows i, f (or f alone when coupled) see the old cell c[s], row o the new one c[s+1].
    const T* c_old = lt.c.data();
    const T* c_new = lt.c.data() + batch * H;
    const Index col_f = cfg.coupled ? 0 : H, col_o = cfg.coupled ? 2 * H : 3 * H;
    T* pe = g.weight_peephole;
    if (!cfg.coupled) {
      product_sums(dgx, GH, 0, c_old, rows, H, pe, add);
      pe += H;
    }
    product_sums(dgx, GH, col_f, c_old, rows, H, pe, add);
    product_sums(dgx, GH, col_o, c_new, rows, H, pe + H, add);
  }
}

}  // namespace

template <class T>
void backward(const RNNSpec& spec, const ParamSet<const T>& params, Tape<T>& tape,
              const BackwardInputs<T>& in, const BackwardOutputs<T>& out) {
  detail::TapeStorage<T>& ts = tape.storage();
  if (tape.empty())
    throw std::invalid_argument("tape: expected the tape of a training forward, got an empty one");
  if (spec != ts.spec)
    throw std::invalid_argument("spec: expected the spec of the forward that made the tape");
  const CellConfig cfg = detail::make_cell_config(spec);
  const Index T_ = ts.seq_len, B = ts.batch, TB = T_ * B;
  const Index L = spec.num_layers, D = spec.num_directions(), H = cfg.H, P = cfg.P;
  const Index GH = cfg.G * H, DP = D * P;
  const bool lstm = spec.mode == Mode::lstm;
  detail::check_view("dy", in.dy, {T_, B, DP}, false);
  detail::check_view("dh_n", in.dh_n, {L * D, B, P}, true);
  if (lstm) detail::check_view("dc_n", in.dc_n, {L * D, B, H}, true);
  detail::check_view("dx", out.dx, {T_, B, spec.input_size}, false);
  detail::check_view("dh0", out.dh0, {L * D, B, P}, true);
  if (lstm) detail::check_view("dc0", out.dc0, {L * D, B, H}, true);
  detail::check_param_set(spec, params, "params");
  detail::check_param_set(spec, out.grads, "grads");

  const BatchOrder order = detail::batch_order_of(ts);
  const detail::StepKernels<T> kern = detail::select_step_kernels<T>(cfg);
  const bool fused = detail::fused_steps_enabled();
  const bool separate_dgh = spec.mode == Mode::gru && spec.linear_before_reset;
  Index max_i = spec.input_size;
  for (Index k = 1; k < L; ++k) max_i = std::max(max_i, spec.layer_input_size(k));

  // Workspaces, allocated once per call.
  std::vector<T> d_out(static_cast<std::size_t>(TB * DP)), d_in;
  // The fused pass writes every row of dgx (and dgh) when no sequence ends early; otherwise,
  // and for the portable steps, the rows past the running ones must read as zeros.
  const bool dg_zero = !fused || order.active[T_ - 1] < B;
  // One direction and every sequence T long: scan order is time order, so the layer's output
  // gradient serves as the step's dy as it is and the input gradient's product writes d_in.
  const bool direct = D == 1 && order.active[T_ - 1] == B;
  // As in the forward, the two directions of a layer may run side by side, each on its own
  // workspaces; their input gradients are added into d_in afterwards, in direction order.
  const bool side_by_side = detail::directions_side_by_side(
      D, T_, B, cfg.G * H, spec.input_size, P);
  std::vector<DirWork<T>> work(side_by_side ? 2 : 1);
  for (DirWork<T>& w : work) {
    if (!direct) {
      w.dy_scan.reset(TB * P);      // gather_scan writes every row
      w.dx_scan.reset(TB * max_i);  // the product writes every row
    }
    w.dgx.reset(TB * GH);
    if (separate_dgh) w.dgh.reset(TB * GH);
    w.dh_carry.resize(static_cast<std::size_t>(B * P));
    if (lstm) w.dc_carry.resize(static_cast<std::size_t>(B * H));
    w.scratch.resize(static_cast<std::size_t>(B * cfg.ldscratch));
  }
  std::vector<T> x_scan(D == 2 ? static_cast<std::size_t>(TB * max_i) : 0);
  detail::load_rows(in.dy, order, d_out.data());
  // The passes write every row of dh and dc unless some rows stop early (or on the portable
  // steps): only then must the rest read as zeros.
  for (auto& lt : ts.dirs) {
    if (dg_zero) {
      lt.dh.assign(static_cast<std::size_t>(TB * P), T(0));
      if (lstm) lt.dc.assign(static_cast<std::size_t>(TB * H), T(0));
    } else {
      lt.dh.resize(static_cast<std::size_t>(TB * P));
      if (lstm) lt.dc.resize(static_cast<std::size_t>(TB * H));
    }
  }

  for (Index k = L - 1; k >= 0; --k) {
    const Index I = spec.layer_input_size(k);
    if (direct) {
      d_in.resize(static_cast<std::size_t>(TB * I));  // the product below writes all of it
    } else {
      d_in.assign(static_cast<std::size_t>(TB * I), T(0));
    }
    auto run_direction = [&](Index d, DirWork<T>& dw) {
      const LayerParams<const T>& lp = params.at(k, d, D);
      detail::LayerDirTape<T>& lt = ts.dirs[k * D + d];
      T* dgh_p = separate_dgh ? dw.dgh.data() : dw.dgx.data();
      const T* dy = d_out.data();
      if (!direct) {
        detail::gather_scan(order, d, d_out.data(), DP, d * P, P, dw.dy_scan.data());
        dy = dw.dy_scan.data();
      }
      detail::load_state(in.dh_n, k * D + d, order, P, dw.dh_carry.data());
      if (lstm) detail::load_state(in.dc_n, k * D + d, order, H, dw.dc_carry.data());
      if (dg_zero) {
        std::fill(dw.dgx.data(), dw.dgx.data() + TB * GH, T(0));
        if (separate_dgh) std::fill(dw.dgh.data(), dw.dgh.data() + TB * GH, T(0));
      }

      const detail::StepWeights<T> w = detail::step_weights(cfg, lp);
      if (fused) {
        detail::BackwardPassArgs<T> ba;
        ba.cfg = &cfg;
        ba.w = w;
        ba.order = &order;
        ba.gates = lt.gates.data();
        ba.h = lt.h.data();
        ba.c = lstm ? lt.c.data() : nullptr;
        ba.dy = dy;
        ba.dh = lt.dh.data();
        ba.dc = lstm ? lt.dc.data() : nullptr;
        ba.dh_carry = dw.dh_carry.data();
        ba.dc_carry = lstm ? dw.dc_carry.data() : nullptr;
        ba.dgx = dw.dgx.data();
        ba.dgh = dgh_p;
        detail::fused_backward_pass(ba);
      }
      for (Index s = T_ - 1; s >= 0 && !fused; --s) {
        const Index nb = order.active[s];
        if (nb == 0) continue;
        T* dh = lt.dh.data() + s * B * P;
        const T* dys = dy + s * B * P;
        for (Index r = 0; r < nb * P; ++r) dh[r] = dys[r] + dw.dh_carry[r];
        detail::StepBackwardArgs<T> a;
        a.nb = nb;
        a.gates = lt.gates.data() + s * B * cfg.ldg;
        a.h_prev = lt.h.data() + s * B * P;
        a.h_new = lt.h.data() + (s + 1) * B * P;
        if (lstm) {
          a.c_prev = lt.c.data() + s * B * H;
          a.c_new = lt.c.data() + (s + 1) * B * H;
          a.dc_total = lt.dc.data() + s * B * H;
          a.dc_carry = dw.dc_carry.data();
        }
        a.dh = dh;
        a.dgx = dw.dgx.data() + s * B * GH;
        a.dgh = dgh_p + s * B * GH;
        a.dh_prev = dw.dh_carry.data();
        a.scratch = dw.scratch.data();
        kern.backward(cfg, w, a);
      }
      detail::store_state(dw.dh_carry.data(), order, P, k * D + d, out.dh0);
      if (lstm) detail::store_state(dw.dc_carry.data(), order, H, k * D + d, out.dc0);

      const T* xs = ts.inputs[k].data();
      if (d == 1) {
        detail::gather_scan(order, 1, xs, I, 0, I, x_scan.data());
        xs = x_scan.data();
      }
      weight_gradients(cfg, lt, dw.dgx.data(), dgh_p, xs, TB, B, I, out.grads.at(k, d, D),
                       out.accumulate);
      detail::gemm(false, false, TB, I, GH, T(1), dw.dgx.data(), GH, lp.weight_ih, I, T(0),
                   direct ? d_in.data() : dw.dx_scan.data(), I);
      if (!direct && !side_by_side)
        detail::scatter_time(order, d, dw.dx_scan.data(), I, I, d_in.data(), I, 0, true);
    };
    if (side_by_side) {
      detail::run_side_by_side([&](int d) { run_direction(d, work[static_cast<std::size_t>(d)]); });
      for (Index d = 0; d < D; ++d)
        detail::scatter_time(order, d, work[static_cast<std::size_t>(d)].dx_scan.data(), I, I,
                             d_in.data(), I, 0, true);
    } else {
      for (Index d = 0; d < D; ++d) run_direction(d, work[0]);
    }
    if (k > 0) {
      d_out.swap(d_in);
      if (ts.dropout_applied) detail::apply_dropout(d_out.data(), order, DP, ts.seed, k - 1,
                                                    spec.dropout);
    }
  }
  detail::store_rows(d_in.data(), order, out.dx);
  ts.has_grads = true;
}

template void backward<float>(const RNNSpec&, const ParamSet<const float>&, Tape<float>&,
                              const BackwardInputs<float>&, const BackwardOutputs<float>&);
template void backward<double>(const RNNSpec&, const ParamSet<const double>&, Tape<double>&,
                               const BackwardInputs<double>&, const BackwardOutputs<double>&);

}  // namespace lstmcore
