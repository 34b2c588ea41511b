// The forward algorithm: stack -> layer-direction scan -> step (inference and training).
//
// Per layer and direction: the input in scan order, ONE input-projection GEMM for all steps,
// then per step the cell's step function (recurrent GEMM + pointwise). Training writes every
// activation straight into the tape (layout in lstmcore/tape.hpp); inference reuses one set of
// workspaces for all layer-directions.
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

// What one layer-direction pass of a forward uses (inference: its own buffers; training: the
// tape's, plus these small ones).
template <class T>
struct DirWork {
  detail::Workspace<T> gates, h, c, m;
  std::vector<T> scratch, h_fin, c_fin;
};

template <class T>
void reset_tape(detail::TapeStorage<T>& ts, const RNNSpec& spec, const BatchOrder& o,
                const Index* lengths, std::uint64_t seed) {
  const CellConfig cfg = detail::make_cell_config(spec);
  const Index T_ = o.T, B = o.B, H = cfg.H, P = cfg.P;
  const Index L = spec.num_layers, D = spec.num_directions();
  ts = detail::TapeStorage<T>();
  ts.spec = spec;
  ts.seq_len = T_;
  ts.batch = B;
  ts.seed = seed;
  ts.dropout_applied = spec.dropout > 0 && L > 1;
  ts.has_lengths = lengths != nullptr;
  ts.lengths.assign(static_cast<std::size_t>(B), T_);
  if (lengths) ts.lengths.assign(lengths, lengths + B);
  ts.perm = o.perm;
  ts.sorted_lengths = o.len;
  ts.active = o.active;
  // Without lengths the forward writes every element of the tape; with lengths the positions
  // past each one must read as zeros (tape.hpp), so only then is it zero-filled.
  const auto size = [&](detail::TapeArray<T>& a, Index n) {
    if (lengths) {
      a.assign(static_cast<std::size_t>(n), T(0));
    } else {
      a.resize(static_cast<std::size_t>(n));
    }
  };
  ts.inputs.resize(static_cast<std::size_t>(L));
  for (Index k = 0; k < L; ++k) size(ts.inputs[k], T_ * B * spec.layer_input_size(k));
  ts.dirs.resize(static_cast<std::size_t>(L * D));
  for (auto& d : ts.dirs) {
    size(d.gates, T_ * B * cfg.ldg);
    size(d.h, (T_ + 1) * B * P);
    if (spec.mode == Mode::lstm) size(d.c, (T_ + 1) * B * H);
    if (cfg.proj) size(d.m, T_ * B * H);
  }
}

}  // namespace

template <class T>
void forward(const RNNSpec& spec, const ParamSet<const T>& params, const ForwardInputs<T>& in,
             const ForwardOutputs<T>& out, Tape<T>* tape, std::uint64_t seed) {
  spec.validate();
  if (in.x.empty()) throw std::invalid_argument("x: expected a [T, B, I] array, got none");
  const Index T_ = in.x.shape[0], B = in.x.shape[1];
  if (T_ < 1 || B < 1)
    throw std::invalid_argument("x: expected T >= 1 and B >= 1, got shape " +
                                detail::shape_string(in.x.shape.data(), 3));
  const CellConfig cfg = detail::make_cell_config(spec);
  const Index L = spec.num_layers, D = spec.num_directions(), H = cfg.H, P = cfg.P;
  const Index DP = D * P;
  const bool lstm = spec.mode == Mode::lstm;
  detail::check_view("x", in.x, {T_, B, spec.input_size}, false);
  detail::check_view("h0", in.h0, {L * D, B, P}, true);
  if (lstm) detail::check_view("c0", in.c0, {L * D, B, H}, true);
  detail::check_view("y", out.y, {T_, B, DP}, false);
  detail::check_view("h_n", out.h_n, {L * D, B, P}, true);
  if (lstm) detail::check_view("c_n", out.c_n, {L * D, B, H}, true);
  detail::check_param_set(spec, params, "params");
  detail::check_lengths(in.lengths, B, T_);

  const BatchOrder order = detail::make_batch_order(T_, B, in.lengths);
  const detail::StepKernels<T> kern = detail::select_step_kernels<T>(cfg);
  const bool fused = detail::fused_steps_enabled();
  detail::TapeStorage<T>* ts = tape ? &tape->storage() : nullptr;
  if (ts) reset_tape(*ts, spec, order, in.lengths, seed);

  // Inference on rows in the caller's order (no lengths) reads x where it lies and, with one
  // direction, writes each layer's states straight into its output: no copies in or out.
  const bool in_order = !ts && in.lengths == nullptr;
  const bool x_in_place = in_order && detail::is_contiguous(in.x);
  const bool direct = in_order && D == 1;
  const bool y_direct = direct && detail::is_contiguous(out.y);

  // The two directions of a layer run side by side, one thread each, when there are threads
  // for both: no per-step barrier between them (each is single-threaded inside), and every
  // output element sees the same operations as on one thread, so the bits do not change.
  const bool side_by_side = detail::directions_side_by_side(
      D, T_, B, cfg.G * H, spec.input_size, P);
  const Index sets = side_by_side ? 2 : 1;  // workspace sets

  // Workspaces, allocated once per call.
  Index max_i = spec.input_size;
  for (Index k = 1; k < L; ++k) max_i = std::max(max_i, spec.layer_input_size(k));
  std::vector<T> cur_in, layer_out;
  if (!(y_direct && L == 1)) layer_out.resize(static_cast<std::size_t>(T_ * B * DP));
  std::vector<T> x_scan(D == 2 ? static_cast<std::size_t>(T_ * B * max_i) : 0);
  // Inference workspaces stay uninitialized (zeroing them cost a pass over memory each): the
  // input projection writes every gates row and a step reads only rows an earlier one wrote.
  // The cell state needs only the previous step's: two slots, which stay in cache.
  const Index c_slots = ts ? 0 : 2;
  std::vector<DirWork<T>> work(static_cast<std::size_t>(sets));
  for (DirWork<T>& w : work) {
    w.scratch.resize(static_cast<std::size_t>(B * cfg.ldscratch));
    w.h_fin.resize(static_cast<std::size_t>(B * P));
    w.c_fin.resize(static_cast<std::size_t>(B * H));
    if (ts) continue;
    w.gates.reset(T_ * B * cfg.ldg);
    w.h.reset((direct ? 1 : T_ + 1) * B * P);
    if (lstm) w.c.reset(c_slots * B * H);
    if (cfg.proj) w.m.reset(T_ * B * H);
  }
  if (!ts && !x_in_place) cur_in.resize(static_cast<std::size_t>(T_ * B * spec.input_size));
  if (!x_in_place) detail::load_rows(in.x, order, ts ? ts->inputs[0].data() : cur_in.data());

  for (Index k = 0; k < L; ++k) {
    const Index I = spec.layer_input_size(k);
    const T* inp = ts ? ts->inputs[k].data() : (k == 0 && x_in_place ? in.x.data : cur_in.data());
    // Positions past a length stay zero; without lengths every position is written.
    if (in.lengths && k > 0) std::fill(layer_out.begin(), layer_out.end(), T(0));
    const bool last = k + 1 == L;
    auto run_direction = [&](Index d, DirWork<T>& dw) {
      const LayerParams<const T>& lp = params.at(k, d, D);
      T* gates = ts ? ts->dirs[k * D + d].gates.data() : dw.gates.data();
      T* h = ts ? ts->dirs[k * D + d].h.data() : dw.h.data();  // h[0]: the initial state
      T* c = lstm ? (ts ? ts->dirs[k * D + d].c.data() : dw.c.data()) : nullptr;
      T* m = cfg.proj ? (ts ? ts->dirs[k * D + d].m.data() : dw.m.data()) : nullptr;
      T* h_out = h + B * P;
      if (direct) h_out = last && y_direct ? out.y.data : layer_out.data();

      const T* xs = inp;
      if (d == 1) {
        detail::gather_scan(order, 1, inp, I, 0, I, x_scan.data());
        xs = x_scan.data();
      }
      detail::input_projection(cfg, lp, xs, T_ * B, I, gates);
      detail::load_state(in.h0, k * D + d, order, P, h);
      if (lstm) detail::load_state(in.c0, k * D + d, order, H, c);

      const detail::StepWeights<T> w = detail::step_weights(cfg, lp);
      if (fused) {
        detail::ForwardPassArgs<T> fa;
        fa.cfg = &cfg;
        fa.w = w;
        fa.order = &order;
        fa.training = ts != nullptr;
        fa.gates = gates;
        fa.h0 = h;
        fa.h_out = h_out;
        fa.c = c;
        fa.c_slots = c_slots;
        fa.m = m;
        detail::fused_forward_pass(fa);
      }
      for (Index s = 0; s < T_ && !fused; ++s) {
        const Index nb = order.active[s];
        if (nb == 0) break;
        detail::StepForwardArgs<T> a;
        a.nb = nb;
        a.gates = gates + s * B * cfg.ldg;
        a.h_prev = s == 0 ? h : h_out + (s - 1) * B * P;
        a.h_new = h_out + s * B * P;
        if (lstm) {
          a.c_prev = c + detail::c_slot(s, c_slots) * B * H;
          a.c_new = c + detail::c_slot(s + 1, c_slots) * B * H;
        }
        if (m) a.m = m + s * B * H;
        a.scratch = dw.scratch.data();
        kern.forward(cfg, w, a);
      }

      // The final state of row j is the state after its own last step.
      for (Index j = 0; j < B; ++j) {
        const Index s = order.len[j];
        const T* hj = s == 0 ? h + j * P : h_out + ((s - 1) * B + j) * P;
        std::copy(hj, hj + P, dw.h_fin.data() + j * P);
        if (lstm) {
          const T* cj = c + (detail::c_slot(s, c_slots) * B + j) * H;
          std::copy(cj, cj + H, dw.c_fin.data() + j * H);
        }
      }
      detail::store_state(dw.h_fin.data(), order, P, k * D + d, out.h_n);
      if (lstm) detail::store_state(dw.c_fin.data(), order, H, k * D + d, out.c_n);
      if (!direct) detail::scatter_time(order, d, h_out, P, P, layer_out.data(), DP, d * P, false);
    };
    if (side_by_side) {
      detail::run_side_by_side([&](int d) { run_direction(d, work[static_cast<std::size_t>(d)]); });
    } else {
      for (Index d = 0; d < D; ++d) run_direction(d, work[0]);
    }
    if (!last) {
      if (ts) {
        ts->inputs[k + 1].assign(layer_out.begin(), layer_out.end());
        if (ts->dropout_applied)
          detail::apply_dropout(ts->inputs[k + 1].data(), order, DP, seed, k, spec.dropout);
      } else {
        // The next layer reads this output; its own output goes to the other buffer.
        cur_in.swap(layer_out);
        layer_out.resize(static_cast<std::size_t>(T_ * B * DP));
      }
    }
  }
  if (!y_direct) detail::store_rows(layer_out.data(), order, out.y);
}

template void forward<float>(const RNNSpec&, const ParamSet<const float>&,
                             const ForwardInputs<float>&, const ForwardOutputs<float>&,
                             Tape<float>*, std::uint64_t);
template void forward<double>(const RNNSpec&, const ParamSet<const double>&,
                              const ForwardInputs<double>&, const ForwardOutputs<double>&,
                              Tape<double>*, std::uint64_t);

}  // namespace lstmcore
