// The fused step kernels of one ISA (LSTMCORE_SIMD_LEVEL), written once against Vec<T>; included
// by exactly one fused_<isa>.cpp per ISA, built with that ISA's flags.
//
// Product: a tile's G*NU vectors per row are held in registers for up to MR rows of h_prev
// (each a[i][k] broadcast once per k), the whole reduction K at once (never split), then parked
// in a small L1 buffer from which the cell math reads while it is hot.
#pragma once

#include "simd/vmath.hpp"
#include "steps/fused/fused.hpp"

#if defined(__GNUC__) || defined(__clang__)
#define LSTMCORE_FUSED_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define LSTMCORE_FUSED_NOINLINE __declspec(noinline)
#else
#define LSTMCORE_FUSED_NOINLINE
#endif

namespace lstmcore::detail::fused::LSTMCORE_ISA_NS {

namespace vm = simd::LSTMCORE_ISA_NS;
using vm::Vec;

// Accumulator registers a tile product may use (the rest hold the B vectors and a broadcast).
#if LSTMCORE_SIMD_LEVEL == 2
constexpr int kAccBudget = 24;
#else
constexpr int kAccBudget = 12;
#endif

// Unit vectors per gate in a tile: enough that a row of a tile is 3-4 vectors.
constexpr int unit_vectors(Index G) { return G >= 3 ? 1 : static_cast<int>(4 / G); }

template <class T>
Index tile_units(Index G) {
  return unit_vectors(G) * Vec<T>::kWidth;
}

template <int NV>
constexpr int max_rows() {
  return kAccBudget / NV > 8 ? 8 : kAccBudget / NV;
}

template <class T>
inline Vec<T> load_n(const T* p, Index n) {
  return n >= Vec<T>::kWidth ? Vec<T>::load(p) : Vec<T>::load_partial(p, static_cast<int>(n));
}
template <class T>
inline void store_n(Vec<T> v, T* p, Index n) {
  if (n >= Vec<T>::kWidth) {
    v.store(p);
  } else {
    v.store_partial(p, static_cast<int>(n));
  }
}

// out[i][v] (+)= sum_k a[i*lda + k] * b[k][v] for M rows and NV vectors; with load_acc the sums
// continue from out (each lane still adds its k terms in order: splitting K changes no bit).
template <class T, int M, int NV>
LSTMCORE_FUSED_NOINLINE void tile_product(Index K, const T* __restrict a, Index lda,
                                          const T* __restrict b, T* __restrict out,
                                          bool load_acc) {
  using V = Vec<T>;
  constexpr int W = V::kWidth;
  V acc[M][NV];
  for (int i = 0; i < M; ++i)
    for (int v = 0; v < NV; ++v)
      acc[i][v] = load_acc ? V::load(out + (i * NV + v) * W) : V::zero();
  for (Index k = 0; k < K; ++k) {
    V bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = V::load(b + (k * NV + v) * W);
    for (int i = 0; i < M; ++i) {
      const V ai = V::set1(a[i * lda + k]);
      for (int v = 0; v < NV; ++v) acc[i][v] = fma(ai, bv[v], acc[i][v]);
    }
  }
  for (int i = 0; i < M; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v].store(out + (i * NV + v) * W);
}

// Compile-time row counts for a run-time m (run-time indices into acc would spill it).
template <class T, int NV, int M>
inline void product_rows(int m, Index K, const T* a, Index lda, const T* b, T* out,
                         bool load_acc) {
  if constexpr (M >= 1) {
    if (m == M) {
      tile_product<T, M, NV>(K, a, lda, b, out, load_acc);
      return;
    }
    product_rows<T, NV, M - 1>(m, K, a, lda, b, out, load_acc);
  }
}

// Where the post step of a tile reads its x side: gate blocks g < G at x + r*ldx + g*H, units of
// the tile (hb wide). Fetched before the tile's product so that the misses overlap it (the x
// side was written by the input projection for all steps, long out of cache).
template <class T>
struct XSide {
  const T* x = nullptr;
  Index ldx = 0, H = 0, G = 0;
};

inline void prefetch_read(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 0, 3);
#else
  (void)p;
#endif
}

template <class T>
inline void prefetch_x(const XSide<T>& xs, Index u0, Index hb, Index r0, Index rows) {
  if (!xs.x) return;
  constexpr Index kLine = 64 / static_cast<Index>(sizeof(T));
  const Index u1 = u0 + hb < xs.H ? u0 + hb : xs.H;
  for (Index r = r0; r < r0 + rows; ++r)
    for (Index g = 0; g < xs.G; ++g) {
      const T* p = xs.x + r * xs.ldx + g * xs.H;
      for (Index u = u0; u < u1; u += kLine) prefetch_read(p + u);
      prefetch_read(p + u1 - 1);
    }
}

// For each tile in [t0, t1) and each group of up to RG rows of a: the product into a tile
// buffer, then post(tile, first_row, rows, buffer, NV). With more than one block of MR rows,
// K is cut into slices small enough to stay in L1 while every row block of the group uses them
// (else each row block would stream the whole tile from L2 again).
template <class T, int NV, class F>
inline void for_tiles_nv(const Packed<T>& b, const T* a, Index lda, Index rows, Index t0,
                         Index t1, const XSide<T>& xs, F& post) {
  constexpr int W = Vec<T>::kWidth;
  constexpr int MR = max_rows<NV>();
  constexpr int RG = 4 * MR;
  constexpr Index kSliceBytes = 20 * 1024;
  constexpr Index kc_small = kSliceBytes / (NV * W * static_cast<Index>(sizeof(T)));
  alignas(64) T out[RG * NV * W];
  for (Index t = t0; t < t1; ++t) {
    const T* bt = b.data + t * b.tile_size();
    for (Index g0 = 0; g0 < rows; g0 += RG) {
      const Index gm = rows - g0 < RG ? rows - g0 : RG;
      prefetch_x(xs, t * b.hb, b.hb, g0, gm);
      const Index kc_max = gm > MR ? kc_small : b.K;
      for (Index k0 = 0; k0 < b.K; k0 += kc_max) {
        const Index kc = b.K - k0 < kc_max ? b.K - k0 : kc_max;
        for (Index r0 = 0; r0 < gm; r0 += MR) {
          const int m = static_cast<int>(gm - r0 < MR ? gm - r0 : MR);
          product_rows<T, NV, MR>(m, kc, a + (g0 + r0) * lda + k0, lda, bt + k0 * NV * W,
                                  out + r0 * NV * W, k0 > 0);
        }
      }
      post(t, g0, static_cast<int>(gm), static_cast<const T*>(out), NV);
    }
  }
}

template <class T, class F>
inline void for_tiles(const Packed<T>& b, const T* a, Index lda, Index rows, Index t0, Index t1,
                      const XSide<T>& xs, F&& post) {
  if (b.G * unit_vectors(b.G) == 3) {
    for_tiles_nv<T, 3>(b, a, lda, rows, t0, t1, xs, post);
  } else {
    for_tiles_nv<T, 4>(b, a, lda, rows, t0, t1, xs, post);
  }
}

// A vector of W units of one gate at a time: units run along the packed rows, so a weight matrix
// as stored (n_major: units are rows of w) is read W rows at a time with strided gathers, which
// the L1 serves after the first k of a cache line; a transposed source is read straight.
template <class T>
void pack(const PackSource<T>& s, const Packed<T>& d, Index t0, Index t1) {
  using V = Vec<T>;
  constexpr int W = V::kWidth;
  const Index hb = d.hb, G = d.G, K = d.K, row = G * hb;
  for (Index t = t0; t < t1; ++t) {
    T* dst = d.data + t * d.tile_size();
    for (Index g = 0; g < G; ++g)
      for (Index j0 = 0; j0 < hb; j0 += W) {
        const Index u0 = t * hb + j0, n0 = g * s.gate_stride + u0;
        const Index valid = d.H - u0;  // lanes that hold a unit (the rest are zero padding)
        T* out = dst + g * hb + j0;
        if (valid >= W) {
          if (s.n_major) {
            const T* src = s.w + n0 * s.ldw;
            for (Index k = 0; k < K; ++k) V::gather(src + k, s.ldw).store(out + k * row);
          } else {
            for (Index k = 0; k < K; ++k) V::load(s.w + k * s.ldw + n0).store(out + k * row);
          }
          continue;
        }
        for (Index k = 0; k < K; ++k)
          for (Index j = 0; j < W; ++j)
            out[k * row + j] = j >= valid ? T(0)
                               : s.n_major ? s.w[(n0 + j) * s.ldw + k]
                                           : s.w[k * s.ldw + n0 + j];
      }
  }
}

template <class T>
void dense(const DenseTask<T>& task, Index t0, Index t1) {
  using V = Vec<T>;
  constexpr int W = V::kWidth;
  const Packed<T>& b = *task.b;
  const Index hb = b.hb, N = b.H;
  for_tiles(b, task.a, task.lda, task.rows, t0, t1, XSide<T>{},
            [&](Index t, Index r0, int m, const T* out, int NV) {
              for (int i = 0; i < m; ++i) {
                T* c = task.c + (r0 + i) * task.ldc;
                for (Index j = 0; j * W < hb; ++j) {
                  const Index u = t * hb + j * W;
                  if (u >= N) break;
                  const Index n = N - u;
                  V v = V::load(out + (i * NV + j) * W);
                  if (task.accumulate) v = load_n(c + u, n) + v;
                  store_n(v, c + u, n);
                }
              }
            });
}

// ---- forward cell math on a tile -------------------------------------------------------------

template <class T>
void lstm_forward(const ForwardTask<T>& task, Index t0, Index t1) {
  using V = Vec<T>;
  constexpr int W = V::kWidth;
  const CellConfig& cfg = *task.cfg;
  const Index H = cfg.H, ldg = cfg.ldg;
  const bool coupled = cfg.coupled, peep = task.peephole != nullptr;
  // Gate blocks in a row (and in a tile): i, f, g, o or, coupled, f, g, o.
  const int ki = 0, kf = coupled ? 0 : 1, kg = kf + 1, ko = kf + 2;
  const Index pf_off = coupled ? 0 : H, po_off = coupled ? H : 2 * H;
  T* m_out = cfg.proj ? task.m : task.h_new;
  for_tiles(*task.w, task.h_prev, cfg.P, task.nb, t0, t1, XSide<T>{task.gates, ldg, H, cfg.G},
            [&](Index t, Index r0, int m, const T* out, int NV) {
              const Index u = t * W;
              const Index n = H - u < W ? H - u : W;
              V pi = V::zero(), pf = V::zero(), po = V::zero();
              if (peep) {
                if (!coupled) pi = load_n(task.peephole + u, n);
                pf = load_n(task.peephole + pf_off + u, n);
                po = load_n(task.peephole + po_off + u, n);
              }
              const V one = V::set1(T(1));
              for (int i = 0; i < m; ++i) {
                const Index r = r0 + i;
                T* g = task.gates + r * ldg + u;
                const T* acc = out + i * NV * W;
                const V c = load_n(task.c_prev + r * H + u, n);
                const V a_f = V::load(acc + kf * W) + load_n(g + kf * H, n);
                const V f = vm::sigmoid(peep ? fma(pf, c, a_f) : a_f);
                V ig;
                if (coupled) {
                  ig = one - f;
                } else {
                  const V a_i = V::load(acc + ki * W) + load_n(g + ki * H, n);
                  ig = vm::sigmoid(peep ? fma(pi, c, a_i) : a_i);
                }
                const V gg = vm::tanh(V::load(acc + kg * W) + load_n(g + kg * H, n));
                const V cn = fma(f, c, ig * gg);
                const V a_o = V::load(acc + ko * W) + load_n(g + ko * H, n);
                const V o = vm::sigmoid(peep ? fma(po, cn, a_o) : a_o);
                store_n(cn, task.c_new + r * H + u, n);
                store_n(o * vm::tanh(cn), m_out + r * H + u, n);
                if (task.training) {
                  if (!coupled) store_n(ig, g + ki * H, n);
                  store_n(f, g + kf * H, n);
                  store_n(gg, g + kg * H, n);
                  store_n(o, g + ko * H, n);
                }
              }
            });
}

template <class T>
void gru_forward(const ForwardTask<T>& task, Index t0, Index t1) {
  using V = Vec<T>;
  constexpr int W = V::kWidth;
  const CellConfig& cfg = *task.cfg;
  const Index H = cfg.H, ldg = cfg.ldg;
  const V one = V::set1(T(1));
  if (cfg.linear_before_reset) {
    for_tiles(*task.w, task.h_prev, H, task.nb, t0, t1, XSide<T>{task.gates, ldg, H, 3},
              [&](Index t, Index r0, int m, const T* out, int NV) {
                const Index u = t * W;
                const Index n = H - u < W ? H - u : W;
                const V bn = task.b_hn ? load_n(task.b_hn + u, n) : V::zero();
                for (int i = 0; i < m; ++i) {
                  const Index r = r0 + i;
                  T* g = task.gates + r * ldg + u;
                  const T* acc = out + i * NV * W;
                  const V hn_lin = V::load(acc + 2 * W) + bn;
                  const V rr = vm::sigmoid(V::load(acc) + load_n(g, n));
                  const V zz = vm::sigmoid(V::load(acc + W) + load_n(g + H, n));
                  const V nn = vm::tanh(fma(rr, hn_lin, load_n(g + 2 * H, n)));
                  const V hp = load_n(task.h_prev + r * H + u, n);
                  store_n(fma(zz, hp, (one - zz) * nn), task.h_new + r * H + u, n);
                  if (task.training) {
                    store_n(rr, g, n);
                    store_n(zz, g + H, n);
                    store_n(nn, g + 2 * H, n);
                    store_n(hn_lin, g + 3 * H, n);
                  }
                }
              });
    return;
  }
  // Cho, phase 1: r, z and r * h (the next phase's product reads all of r * h).
  const Index hb = task.w->hb;
  for_tiles(*task.w, task.h_prev, H, task.nb, t0, t1, XSide<T>{task.gates, ldg, H, 2},
            [&](Index t, Index r0, int m, const T* out, int NV) {
              const int nu = static_cast<int>(hb / W);
              for (int i = 0; i < m; ++i) {
                const Index r = r0 + i;
                const T* acc = out + i * NV * W;
                for (int j = 0; j < nu; ++j) {
                  const Index u = t * hb + j * W;
                  if (u >= H) break;
                  const Index n = H - u < W ? H - u : W;
                  T* g = task.gates + r * ldg + u;
                  const V rr = vm::sigmoid(V::load(acc + j * W) + load_n(g, n));
                  const V zz = vm::sigmoid(V::load(acc + (nu + j) * W) + load_n(g + H, n));
                  store_n(rr, g, n);
                  store_n(zz, g + H, n);
                  store_n(rr * load_n(task.h_prev + r * H + u, n), g + 3 * H, n);
                }
              }
            });
}

template <class T>
void gru_forward_n(const ForwardTask<T>& task, Index t0, Index t1) {
  using V = Vec<T>;
  constexpr int W = V::kWidth;
  const CellConfig& cfg = *task.cfg;
  const Index H = cfg.H, ldg = cfg.ldg, hb = task.w_n->hb;
  const V one = V::set1(T(1));
  for_tiles(*task.w_n, task.gates + 3 * H, ldg, task.nb, t0, t1,
            XSide<T>{task.gates + 2 * H, ldg, H, 1}, [&](Index t, Index r0, int m, const T* out, int NV) {
              for (int i = 0; i < m; ++i) {
                const Index r = r0 + i;
                const T* acc = out + i * NV * W;
                for (Index j = 0; j * W < hb; ++j) {
                  const Index u = t * hb + j * W;
                  if (u >= H) break;
                  const Index n = H - u < W ? H - u : W;
                  T* g = task.gates + r * ldg + u;
                  const V nn = vm::tanh(V::load(acc + j * W) + load_n(g + 2 * H, n));
                  const V zz = load_n(g + H, n);
                  const V hp = load_n(task.h_prev + r * H + u, n);
                  store_n(fma(zz, hp, (one - zz) * nn), task.h_new + r * H + u, n);
                  if (task.training) store_n(nn, g + 2 * H, n);
                }
              }
            });
}

template <class T>
void rnn_forward(const ForwardTask<T>& task, Index t0, Index t1) {
  using V = Vec<T>;
  constexpr int W = V::kWidth;
  const CellConfig& cfg = *task.cfg;
  const Index H = cfg.H, ldg = cfg.ldg, hb = task.w->hb;
  const bool relu = cfg.relu;
  for_tiles(*task.w, task.h_prev, H, task.nb, t0, t1, XSide<T>{task.gates, ldg, H, 1},
            [&](Index t, Index r0, int m, const T* out, int NV) {
              for (int i = 0; i < m; ++i) {
                const Index r = r0 + i;
                const T* acc = out + i * NV * W;
                for (Index j = 0; j * W < hb; ++j) {
                  const Index u = t * hb + j * W;
                  if (u >= H) break;
                  const Index n = H - u < W ? H - u : W;
                  T* g = task.gates + r * ldg + u;
                  const V a = V::load(acc + j * W) + load_n(g, n);
                  // max(0, a), not max(a, 0): x86 max and the portable one return the second
                  // operand when one is NaN, and a NaN input must come through (as in NumPy).
                  const V h = relu ? max(V::zero(), a) : vm::tanh(a);
                  store_n(h, task.h_new + r * H + u, n);
                  if (task.training) store_n(h, g, n);
                }
              }
            });
}

template <class T>
void forward(const ForwardTask<T>& task, Index t0, Index t1) {
  switch (task.cfg->mode) {
    case Mode::lstm:
      lstm_forward(task, t0, t1);
      break;
    case Mode::gru:
      gru_forward(task, t0, t1);
      break;
    case Mode::rnn:
      rnn_forward(task, t0, t1);
      break;
  }
}

// ---- backward pointwise ----------------------------------------------------------------------

// Calls f(row, unit, lanes) for each vector of units [u0, u1) of every running row.
template <class T, class F>
inline void for_units(Index nb, Index u0, Index u1, F&& f) {
  constexpr int W = Vec<T>::kWidth;
  for (Index r = 0; r < nb; ++r)
    for (Index u = u0; u < u1; u += W) f(r, u, u1 - u < W ? u1 - u : W);
}

template <class T>
void add_dh(const BackwardTask<T>& task, Index c0, Index c1) {
  const Index P = task.cfg->P;
  for_units<T>(task.nb, c0, c1, [&](Index r, Index u, Index n) {
    const Index o = r * P + u;
    store_n(load_n(task.dy + o, n) + load_n(task.dh_carry + o, n), task.dh + o, n);
  });
}

// dh = dy + dh_carry for one vector (stored in the tape), returned.
template <class T>
inline Vec<T> total_dh(const BackwardTask<T>& task, Index o, Index n) {
  const Vec<T> d = load_n(task.dy + o, n) + load_n(task.dh_carry + o, n);
  store_n(d, task.dh + o, n);
  return d;
}

template <class T>
void lstm_backward(const BackwardTask<T>& task, Index u0, Index u1) {
  using V = Vec<T>;
  const CellConfig& cfg = *task.cfg;
  const Index H = cfg.H, ldg = cfg.ldg, GH = cfg.G * H;
  const bool coupled = cfg.coupled, peep = task.peephole != nullptr;
  const Index oi = 0, of = coupled ? 0 : H, og = of + H, oo = of + 2 * H;
  const Index pf_off = coupled ? 0 : H, po_off = coupled ? H : 2 * H;
  const V one = V::set1(T(1));
  for_units<T>(task.nb, u0, u1, [&](Index r, Index u, Index n) {
    const T* g = task.gates + r * ldg + u;
    const V dm = cfg.proj ? load_n(task.dm + r * task.ldm + u, n) : total_dh(task, r * H + u, n);
    const V f = load_n(g + of, n), gg = load_n(g + og, n), o = load_n(g + oo, n);
    const V ig = coupled ? one - f : load_n(g + oi, n);
    const V cp = load_n(task.c_prev + r * H + u, n);
    const V cn = load_n(task.c_new + r * H + u, n);
    const V tc = vm::tanh(cn);
    const V da_o = dm * tc * (o * (one - o));
    V dc = load_n(task.dc_carry + r * H + u, n) + dm * o * (one - tc * tc);
    if (peep) dc = fma(da_o, load_n(task.peephole + po_off + u, n), dc);
    const V da_g = dc * ig * (one - gg * gg);
    const V dsf = f * (one - f);
    T* dg = task.dgx + r * GH + u;
    V dc_prev = dc * f;
    if (coupled) {
      const V da_f = dc * (cp - gg) * dsf;
      if (peep) dc_prev = fma(da_f, load_n(task.peephole + pf_off + u, n), dc_prev);
      store_n(da_f, dg + of, n);
    } else {
      const V da_f = dc * cp * dsf;
      const V da_i = dc * gg * (ig * (one - ig));
      if (peep) {
        dc_prev = fma(da_i, load_n(task.peephole + u, n), dc_prev);
        dc_prev = fma(da_f, load_n(task.peephole + pf_off + u, n), dc_prev);
      }
      store_n(da_i, dg + oi, n);
      store_n(da_f, dg + of, n);
    }
    store_n(da_g, dg + og, n);
    store_n(da_o, dg + oo, n);
    store_n(dc, task.dc_total + r * H + u, n);
    store_n(dc_prev, task.dc_carry + r * H + u, n);
  });
}

template <class T>
void gru_backward(const BackwardTask<T>& task, Index u0, Index u1) {
  using V = Vec<T>;
  const CellConfig& cfg = *task.cfg;
  const Index H = cfg.H, ldg = cfg.ldg, GH = 3 * H;
  const V one = V::set1(T(1));
  for_units<T>(task.nb, u0, u1, [&](Index r, Index u, Index n) {
    const T* g = task.gates + r * ldg + u;
    const V dh = total_dh(task, r * H + u, n);
    const V rr = load_n(g, n), zz = load_n(g + H, n), nn = load_n(g + 2 * H, n);
    const V hp = load_n(task.h_prev + r * H + u, n);
    const V da_n = dh * (one - zz) * (one - nn * nn);
    const V da_z = dh * (hp - nn) * (zz * (one - zz));
    store_n(dh * zz, task.dh_carry + r * H + u, n);
    T* dgx = task.dgx + r * GH + u;
    store_n(da_z, dgx + H, n);
    store_n(da_n, dgx + 2 * H, n);
    if (cfg.linear_before_reset) {
      const V da_r = da_n * load_n(g + 3 * H, n) * (rr * (one - rr));
      T* dgh = task.dgh + r * GH + u;
      store_n(da_r, dgx, n);
      store_n(da_r, dgh, n);
      store_n(da_z, dgh + H, n);
      store_n(da_n * rr, dgh + 2 * H, n);
    }
  });
}

template <class T>
void gru_backward_reset(const BackwardTask<T>& task, Index u0, Index u1) {
  using V = Vec<T>;
  const CellConfig& cfg = *task.cfg;
  const Index H = cfg.H, ldg = cfg.ldg, GH = 3 * H;
  const V one = V::set1(T(1));
  for_units<T>(task.nb, u0, u1, [&](Index r, Index u, Index n) {
    const V rr = load_n(task.gates + r * ldg + u, n);
    const V drh = load_n(task.d_rh + r * task.ldm + u, n);
    const V hp = load_n(task.h_prev + r * H + u, n);
    T* dhc = task.dh_carry + r * H + u;
    store_n(fma(drh, rr, load_n(dhc, n)), dhc, n);
    store_n(drh * hp * (rr * (one - rr)), task.dgx + r * GH + u, n);
  });
}

template <class T>
void rnn_backward(const BackwardTask<T>& task, Index u0, Index u1) {
  using V = Vec<T>;
  const CellConfig& cfg = *task.cfg;
  const Index H = cfg.H, ldg = cfg.ldg;
  const V one = V::set1(T(1));
  for_units<T>(task.nb, u0, u1, [&](Index r, Index u, Index n) {
    const V dh = total_dh(task, r * H + u, n);
    const V h = load_n(task.gates + r * ldg + u, n);
    const V dg = cfg.relu ? select(gt(h, V::zero()), dh, V::zero()) : dh * (one - h * h);
    store_n(dg, task.dgx + r * H + u, n);
  });
}

template <class T>
void backward(const BackwardTask<T>& task, Index u0, Index u1) {
  switch (task.cfg->mode) {
    case Mode::lstm:
      lstm_backward(task, u0, u1);
      break;
    case Mode::gru:
      gru_backward(task, u0, u1);
      break;
    case Mode::rnn:
      rnn_backward(task, u0, u1);
      break;
  }
}

// Only function addresses: safe to build at static scope on any CPU.
template <class T>
const Ops<T>& table() {
  static const Ops<T> ops{&tile_units<T>, &pack<T>,     &dense<T>,    &forward<T>,
                          &gru_forward_n<T>, &add_dh<T>, &backward<T>, &gru_backward_reset<T>};
  return ops;
}

}  // namespace lstmcore::detail::fused::LSTMCORE_ISA_NS
