// Tape<T>: the memory a training forward keeps for backward, its layout, and its inspection API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

#include "lstmcore/spec.hpp"
#include "lstmcore/types.hpp"

namespace lstmcore {

// ============================================================================================
// Layout of the saved arrays (the one place that documents it)
//
// The core reorders the batch once per call: row j of every internal array is sequence
// perm[j] of the caller, with rows sorted by decreasing length (stable), so the sequences still
// running at any step are a prefix of the rows: active[s] of them at scan step s.
//
// "Scan order" of a layer-direction: step s of the forward direction is time t = s; step s of
// the reverse direction is time t = length_j - 1 - s for row j (each sequence reversed within
// its own length). Rows past their length (s >= length_j) are never written after the zero
// fill, so they stay zero.
//
// Per layer k (I_k = layer input width):
//   input   [T, B, I_k]  the layer's input in time order, after inter-layer dropout
// Per layer-direction (k, d), all in scan order (G gates, H hidden, P = output width):
//   gates   [T, B, ldg]  activated gates in weight-row order; ldg = G*H, plus, for GRU, H
//                        columns holding W_hn h + b_hn (linear_before_reset) or r * h (Cho)
//   h       [T+1, B, P]  h[0] = initial state, h[s+1] = output of step s
//   c       [T+1, B, H]  LSTM: c[0] = initial cell, c[s+1] = cell after step s (else empty)
//   m       [T, B, H]    LSTM with projection: o * tanh(c) before W_hr (else empty)
//   dh, dc  [T, B, P], [T, B, H]  written by backward: total dL/dh_t and dL/dc_t
// ============================================================================================

namespace detail {

// Memory of the tape arrays and the large workspaces (tape.cpp): blocks of 16 MiB and more are
// 2 MiB aligned with transparent huge pages requested, one page fault per 2 MiB instead of 512
// (the 4 KiB faults cost ~10% of an LSTM B=64/H=512 inference).
void* allocate_array(std::size_t bytes);
void free_array(void* p) noexcept;

// The tape arrays' allocator: resize() leaves new elements uninitialized (a training forward
// without lengths writes every element; with lengths the algorithm zero-fills with assign()).
template <class T>
struct TapeAllocator {
  using value_type = T;
  TapeAllocator() = default;
  template <class U>
  TapeAllocator(const TapeAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_array(n * sizeof(T))); }
  void deallocate(T* p, std::size_t) noexcept { free_array(p); }
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;  // default-initialized: no zero fill
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  template <class U>
  bool operator==(const TapeAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const TapeAllocator<U>&) const noexcept { return false; }
};

template <class T>
using TapeArray = std::vector<T, TapeAllocator<T>>;

template <class T>
struct LayerDirTape {
  TapeArray<T> gates, h, c, m, dh, dc;
};

template <class T>
struct TapeStorage {
  RNNSpec spec;
  Index seq_len = 0;
  Index batch = 0;
  std::uint64_t seed = 0;
  bool dropout_applied = false;
  bool has_lengths = false;
  bool has_grads = false;
  std::vector<Index> lengths;         // [B] caller's order (all T when none were given)
  std::vector<Index> perm;            // [B] row j holds sequence perm[j]
  std::vector<Index> sorted_lengths;  // [B] lengths[perm[j]]
  std::vector<Index> active;          // [T] rows still running at scan step s
  std::vector<TapeArray<T>> inputs;   // [L] layer inputs
  std::vector<LayerDirTape<T>> dirs;   // [L * D]
};

}  // namespace detail

// The training memory of one forward call. forward() fills it; backward() reads it (and records
// the gradients of the states for inspection; a tape can be backpropagated any number of times,
// but not by two threads at once). The inspection functions write C-contiguous arrays in time
// order with the caller's batch order, zero past each sequence's length.
template <class T>
class Tape {
 public:
  Tape() = default;

  const RNNSpec& spec() const { return s_.spec; }
  Index seq_len() const { return s_.seq_len; }
  Index batch() const { return s_.batch; }
  std::uint64_t seed() const { return s_.seed; }
  bool has_lengths() const { return s_.has_lengths; }
  const std::vector<Index>& lengths() const { return s_.lengths; }
  bool has_grads() const { return s_.has_grads; }
  bool empty() const { return s_.dirs.empty(); }
  // Bytes of the saved arrays (including the state gradients once a backward ran).
  std::size_t nbytes() const;

  // Number of inspectable gates: LSTM 4 (i, f, g, o; coupled: i = 1 - f), GRU 3 (r, z, n),
  // RNN 1 (the activation h).
  Index num_inspect_gates() const;
  // out [T, B, H]: gate `gate` (index in the order above) of layer-direction (layer, direction).
  void copy_gate(Index layer, Index direction, Index gate, T* out) const;
  // out [T, B, H]: c_t (LSTM only).
  void copy_cell_states(Index layer, Index direction, T* out) const;
  // out [T, B, P]: h_t before inter-layer dropout.
  void copy_hidden_states(Index layer, Index direction, T* out) const;
  // out [T, B, P]: total dL/dh_t of the last backward (std::logic_error before any backward).
  void copy_grad_hidden(Index layer, Index direction, T* out) const;
  // out [T, B, H]: total dL/dc_t of the last backward (LSTM only).
  void copy_grad_cell(Index layer, Index direction, T* out) const;

  // The algorithm's access to the storage (layout above); not for inspection.
  detail::TapeStorage<T>& storage() { return s_; }
  const detail::TapeStorage<T>& storage() const { return s_; }

 private:
  void check_layer_direction(Index layer, Index direction) const;
  void copy_scan_to_time(Index direction, const detail::TapeArray<T>& src, Index width, Index ld,
                         Index col, Index row_offset, T* out) const;
  detail::TapeStorage<T> s_;
};

extern template class Tape<float>;
extern template class Tape<double>;

}  // namespace lstmcore
