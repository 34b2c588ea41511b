// Forward and backward time loops of a layer-direction on the fused step kernels.
//
// Phase 0 packs the weights (each chunk packs the tiles it will use, so on the first step they
// are already in that thread's cache); then each step is one phase (LSTM with projection and
// GRU with Cho's reset: two; backward: two or three), split over tiles of hidden units.
#include "algorithm/fused_pass.hpp"

#include <cstdlib>
#include <cstring>

#include "algorithm/layer_common.hpp"
#include "algorithm/phases.hpp"
#include "steps/fused/fused.hpp"
#include "threads/thread_pool.hpp"

namespace lstmcore::detail {

namespace {

// Below this many multiply-adds per step and thread, a second thread costs more (the per-step
// barrier and the other core's cache) than it saves. Measured on the 2-core development VM
// (float32, T=100, inference, median of 60 calls, 1 vs 2 threads): LSTM B=1/H=64 (16K per step)
// 0.18-0.27 vs 0.22-0.33 ms, RNN B=1/H=128 (16K) 0.24 vs 0.31 ms: one thread; LSTM B=1/H=128
// (64K) 0.56-0.76 vs 0.50-0.63 ms, RNN B=1/H=256 (64K) 0.70 vs 0.60 ms, GRU B=2/H=128 (98K)
// 1.0 vs 0.72-0.81 ms, LSTM B=1/H=256 (256K) 2.4-2.8 vs 1.6-1.7 ms: two.
// LSTMCORE_TUNE_MIN_STEP_WORK (read once) overrides it for such measurements.
constexpr double kMinStepWorkPerThread = 32.0 * 1024.0;

// Split granularity of unit and column ranges: a multiple of every ISA's vector width.
constexpr Index kUnitGrain = 16;

// One 64-byte aligned block (a Workspace) for all packed operands of a pass.
template <class T>
class PackArena {
 public:
  explicit PackArena(Index elements) { data_.reset(elements); }
  T* take(Index n) {
    T* p = data_.data() + used_;
    used_ += (n + 15) / 16 * 16;  // keep every block 64-byte aligned
    return p;
  }

 private:
  Workspace<T> data_;
  Index used_ = 0;
};

template <class T>
fused::Packed<T> packed_shape(const fused::Ops<T>& ops, Index K, Index G, Index H) {
  fused::Packed<T> p;
  p.K = K;
  p.G = G;
  p.H = H;
  p.hb = ops.tile_units(G);
  p.tiles = (H + p.hb - 1) / p.hb;
  return p;
}

template <class T>
Index padded(const fused::Packed<T>& p) {
  return (p.tiles * p.tile_size() + 15) / 16 * 16;
}

int pass_chunks(double work_per_step, Index max_chunks) {
  if (threads::in_parallel_region()) return 1;
  Index n = threads::get_num_threads();
  static const double min_work = [] {
    const char* v = std::getenv("LSTMCORE_TUNE_MIN_STEP_WORK");
    return v ? std::atof(v) : kMinStepWorkPerThread;
  }();
  const Index by_work = static_cast<Index>(work_per_step / (min_work > 0 ? min_work : 1e-9));
  if (by_work < n) n = by_work;
  if (max_chunks < n) n = max_chunks;
  return n < 1 ? 1 : static_cast<int>(n);
}

struct Range {
  Index begin, end;
};

inline Range split(Index n, int n_chunks, int c) {
  return {chunk_begin(n, n_chunks, c), chunk_begin(n, n_chunks, c + 1)};
}

// Units [begin, end) of chunk c, in kUnitGrain blocks.
inline Range split_units(Index n, int n_chunks, int c) {
  const Index blocks = (n + kUnitGrain - 1) / kUnitGrain;
  const Range r = split(blocks, n_chunks, c);
  return {r.begin * kUnitGrain, r.end * kUnitGrain < n ? r.end * kUnitGrain : n};
}

// Phase 0 of a pass: chunk c of nch packs its share of the tiles of the main operand and of
// the second one (when the cell has one), so each thread's tiles start in its own cache.
template <class T>
void pack_share(const fused::Ops<T>& ops, const fused::PackSource<T>& s1,
                const fused::Packed<T>& p1, const fused::PackSource<T>& s2,
                const fused::Packed<T>& p2, int nch, int c) {
  const Range r = split(p1.tiles, nch, c);
  ops.pack(s1, p1, r.begin, r.end);
  if (p2.tiles) {
    const Range r2 = split(p2.tiles, nch, c);
    ops.pack(s2, p2, r2.begin, r2.end);
  }
}

Index steps_run(const BatchOrder& o) {
  Index s = 0;
  while (s < o.T && o.active[s] > 0) ++s;
  return s;
}

}  // namespace

bool fused_steps_enabled() {
  const char* v = std::getenv("LSTMCORE_STEP_PATH");
  return v == nullptr || std::strcmp(v, "portable") != 0;
}

template <class T>
void fused_forward_pass(const ForwardPassArgs<T>& a) {
  const CellConfig& cfg = *a.cfg;
  const BatchOrder& o = *a.order;
  const fused::Ops<T>& ops = fused::active_ops<T>();
  const Index B = o.B, H = cfg.H, P = cfg.P, ldg = cfg.ldg;
  const bool cho = cfg.mode == Mode::gru && !cfg.linear_before_reset;
  const Index steps = steps_run(o);
  if (steps == 0) return;

  fused::Packed<T> pw = packed_shape(ops, P, cho ? Index(2) : cfg.G, H);
  fused::Packed<T> p2;  // projection W_hr^T, or Cho's n rows
  if (cfg.proj) p2 = packed_shape(ops, H, Index(1), P);
  if (cho) p2 = packed_shape(ops, H, Index(1), H);
  PackArena<T> arena(padded(pw) + padded(p2));
  pw.data = arena.take(padded(pw));
  if (p2.tiles) p2.data = arena.take(padded(p2));
  const fused::PackSource<T> sw{a.w.w_hh, P, true, H};
  fused::PackSource<T> s2;
  if (cfg.proj) s2 = {a.w.w_hr, H, true, 0};
  if (cho) s2 = {a.w.w_hh + 2 * H * H, H, true, 0};

  const Index per_step = (cfg.proj || cho) ? 2 : 1;
  const double work = static_cast<double>(o.active[0]) * static_cast<double>(cfg.G * H) *
                      static_cast<double>(P);
  const int nch = pass_chunks(work, pw.tiles);
  run_phases(1 + steps * per_step, nch, [&](Index ph, int c) {
    if (ph == 0) {
      pack_share(ops, sw, pw, s2, p2, nch, c);
      return;
    }
    const Index s = (ph - 1) / per_step, sub = (ph - 1) % per_step;
    fused::ForwardTask<T> t;
    t.cfg = &cfg;
    t.nb = o.active[s];
    t.training = a.training;
    t.w = &pw;
    t.w_n = &p2;
    t.peephole = a.w.peephole;
    t.b_hn = a.w.b_hn;
    t.gates = a.gates + s * B * ldg;
    t.h_prev = s == 0 ? a.h0 : a.h_out + (s - 1) * B * P;
    t.h_new = a.h_out + s * B * P;
    if (a.c) {
      t.c_prev = a.c + c_slot(s, a.c_slots) * B * H;
      t.c_new = a.c + c_slot(s + 1, a.c_slots) * B * H;
    }
    if (a.m) t.m = a.m + s * B * H;
    if (sub == 0) {
      const Range r = split(pw.tiles, nch, c);
      ops.forward(t, r.begin, r.end);
    } else if (cfg.proj) {
      const Range r = split(p2.tiles, nch, c);
      fused::DenseTask<T> d;
      d.a = t.m;
      d.lda = H;
      d.rows = t.nb;
      d.b = &p2;
      d.c = t.h_new;
      d.ldc = P;
      ops.dense(d, r.begin, r.end);
    } else {
      const Range r = split(p2.tiles, nch, c);
      ops.forward_gru_n(t, r.begin, r.end);
    }
  });
}

template <class T>
void fused_backward_pass(const BackwardPassArgs<T>& a) {
  const CellConfig& cfg = *a.cfg;
  const BatchOrder& o = *a.order;
  const fused::Ops<T>& ops = fused::active_ops<T>();
  const Index B = o.B, H = cfg.H, P = cfg.P, ldg = cfg.ldg, GH = cfg.G * H;
  const bool gru = cfg.mode == Mode::gru;
  const bool cho = gru && !cfg.linear_before_reset;
  const Index steps = steps_run(o);
  if (steps == 0) return;

  // dh_prev = dg W_hh (Cho: the r, z rows; the n rows go through d(r*h) first).
  fused::Packed<T> pd = packed_shape(ops, cho ? 2 * H : GH, Index(1), P);
  fused::Packed<T> p2;  // projection: dm = dh W_hr; Cho: d(r*h) = da_n W_hn
  if (cfg.proj) p2 = packed_shape(ops, P, Index(1), H);
  if (cho) p2 = packed_shape(ops, H, Index(1), H);
  PackArena<T> arena(padded(pd) + padded(p2) + B * H);
  pd.data = arena.take(padded(pd));
  if (p2.tiles) p2.data = arena.take(padded(p2));
  T* scratch = arena.take(B * H);  // dm or d(r*h), [nb, H]
  const fused::PackSource<T> sd{a.w.w_hh, P, false, 0};
  fused::PackSource<T> s2;
  if (cfg.proj) s2 = {a.w.w_hr, H, false, 0};
  if (cho) s2 = {a.w.w_hh + 2 * H * H, H, false, 0};

  const Index per_step = (cfg.proj || cho) ? 3 : 2;
  const double work = static_cast<double>(o.active[0]) * static_cast<double>(GH) *
                      static_cast<double>(P);
  const Index grains = (H + kUnitGrain - 1) / kUnitGrain;
  const int nch = pass_chunks(work, pd.tiles < grains ? pd.tiles : grains);
  run_phases(1 + steps * per_step, nch, [&](Index ph, int c) {
    if (ph == 0) {
      pack_share(ops, sd, pd, s2, p2, nch, c);
      return;
    }
    const Index s = steps - 1 - (ph - 1) / per_step, sub = (ph - 1) % per_step;
    fused::BackwardTask<T> t;
    t.cfg = &cfg;
    t.nb = o.active[s];
    t.gates = a.gates + s * B * ldg;
    t.h_prev = a.h + s * B * P;
    if (a.c) {
      t.c_prev = a.c + s * B * H;
      t.c_new = a.c + (s + 1) * B * H;
      t.dc_total = a.dc + s * B * H;
      t.dc_carry = a.dc_carry;
    }
    t.peephole = a.w.peephole;
    t.dy = a.dy + s * B * P;
    t.dh = a.dh + s * B * P;
    t.dh_carry = a.dh_carry;
    t.dm = scratch;
    t.d_rh = scratch;
    t.ldm = H;
    t.dgx = a.dgx + s * B * GH;
    t.dgh = a.dgh + s * B * GH;
    if (sub == per_step - 1) {
      const Range r = split(pd.tiles, nch, c);
      fused::DenseTask<T> d;
      d.a = cfg.mode == Mode::gru && cfg.linear_before_reset ? t.dgh : t.dgx;
      d.lda = GH;
      d.rows = t.nb;
      d.b = &pd;
      d.c = a.dh_carry;
      d.ldc = P;
      d.accumulate = gru;
      ops.dense(d, r.begin, r.end);
    } else if (sub == 0 && cfg.proj) {
      const Range r = split_units(P, nch, c);
      ops.add_dh(t, r.begin, r.end);
    } else if (sub == 0) {
      const Range r = split_units(H, nch, c);
      ops.backward(t, r.begin, r.end);
    } else {
      // The second product, then the pointwise work of the units its tiles produced.
      const Range r = split(p2.tiles, nch, c);
      fused::DenseTask<T> d;
      d.a = cfg.proj ? t.dh : t.dgx + 2 * H;
      d.lda = cfg.proj ? P : GH;
      d.rows = t.nb;
      d.b = &p2;
      d.c = scratch;
      d.ldc = H;
      ops.dense(d, r.begin, r.end);
      const Index u0 = r.begin * p2.hb, u1 = r.end * p2.hb < H ? r.end * p2.hb : H;
      if (u0 < u1) {
        if (cfg.proj) {
          ops.backward(t, u0, u1);
        } else {
          ops.backward_gru_reset(t, u0, u1);
        }
      }
    }
  });
}

template void fused_forward_pass<float>(const ForwardPassArgs<float>&);
template void fused_forward_pass<double>(const ForwardPassArgs<double>&);
template void fused_backward_pass<float>(const BackwardPassArgs<float>&);
template void fused_backward_pass<double>(const BackwardPassArgs<double>&);

}  // namespace lstmcore::detail
