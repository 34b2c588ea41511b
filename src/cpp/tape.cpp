// Tape<T>: size accounting and the inspection copies (scan order -> time order, caller's rows).
#include "lstmcore/tape.hpp"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <stdexcept>

#if defined(__linux__)
#include <sys/mman.h>
#endif
#include <string>

namespace lstmcore {

namespace detail {

void* allocate_array(std::size_t bytes) {
  constexpr std::size_t kHuge = std::size_t(2) << 20;
  const bool huge = bytes >= 8 * kHuge;
  const std::size_t align = huge ? kHuge : 64;
  const std::size_t size = ((bytes > 0 ? bytes : 1) + align - 1) / align * align;
  void* p = std::aligned_alloc(align, size);
  if (!p) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (huge) madvise(p, size, MADV_HUGEPAGE);  // advice only: failure changes nothing
#endif
  return p;
}

void free_array(void* p) noexcept { std::free(p); }

}  // namespace detail

template <class T>
std::size_t Tape<T>::nbytes() const {
  std::size_t n = 0;
  for (const auto& v : s_.inputs) n += v.size();
  for (const auto& d : s_.dirs)
    n += d.gates.size() + d.h.size() + d.c.size() + d.m.size() + d.dh.size() + d.dc.size();
  const std::size_t idx = s_.lengths.size() + s_.perm.size() + s_.sorted_lengths.size() +
                          s_.active.size();
  return n * sizeof(T) + idx * sizeof(Index);
}

template <class T>
Index Tape<T>::num_inspect_gates() const {
  switch (s_.spec.mode) {
    case Mode::rnn:
      return 1;
    case Mode::lstm:
      return 4;
    case Mode::gru:
      return 3;
  }
  return 0;
}

template <class T>
void Tape<T>::check_layer_direction(Index layer, Index direction) const {
  if (empty()) throw std::logic_error("tape: empty (run a training forward first)");
  if (layer < 0 || layer >= s_.spec.num_layers)
    throw std::invalid_argument("layer: expected 0 <= layer < " +
                                std::to_string(s_.spec.num_layers) + ", got " +
                                std::to_string(layer));
  if (direction < 0 || direction >= s_.spec.num_directions())
    throw std::invalid_argument("direction: expected 0 <= direction < " +
                                std::to_string(s_.spec.num_directions()) + ", got " +
                                std::to_string(direction));
}

// out[t(s, j), perm[j], :] = src[(s + row_offset), j, col:col+width] for s < len[j]; 0 elsewhere.
template <class T>
void Tape<T>::copy_scan_to_time(Index direction, const detail::TapeArray<T>& src,
                                Index width, Index ld, Index col, Index row_offset,
                                T* out) const {
  const Index T_ = s_.seq_len, B = s_.batch;
  std::fill(out, out + T_ * B * width, T(0));
  for (Index j = 0; j < B; ++j) {
    const Index len = s_.sorted_lengths[j], b = s_.perm[j];
    for (Index s = 0; s < len; ++s) {
      const Index t = direction == 0 ? s : len - 1 - s;
      const T* in = src.data() + ((s + row_offset) * B + j) * ld + col;
      std::copy(in, in + width, out + (t * B + b) * width);
    }
  }
}

template <class T>
void Tape<T>::copy_gate(Index layer, Index direction, Index gate, T* out) const {
  check_layer_direction(layer, direction);
  if (gate < 0 || gate >= num_inspect_gates())
    throw std::invalid_argument("gate: expected 0 <= gate < " +
                                std::to_string(num_inspect_gates()) + ", got " +
                                std::to_string(gate));
  const RNNSpec& sp = s_.spec;
  const Index H = sp.hidden_size;
  const auto& d = s_.dirs[layer * sp.num_directions() + direction];
  const Index ldg = static_cast<Index>(d.gates.size()) / (s_.seq_len * s_.batch);
  Index col = gate * H;
  if (sp.mode == Mode::lstm && sp.coupled) {
    // Rows f, g, o: gate i (0) is 1 - f, the others shift down by one block.
    col = gate == 0 ? 0 : (gate - 1) * H;
  }
  copy_scan_to_time(direction, d.gates, H, ldg, col, 0, out);
  if (sp.mode == Mode::lstm && sp.coupled && gate == 0) {
    for (Index j = 0; j < s_.batch; ++j) {
      const Index b = s_.perm[j];
      for (Index t = 0; t < s_.sorted_lengths[j]; ++t) {
        T* row = out + (t * s_.batch + b) * H;
        for (Index u = 0; u < H; ++u) row[u] = T(1) - row[u];
      }
    }
  }
}

template <class T>
void Tape<T>::copy_cell_states(Index layer, Index direction, T* out) const {
  check_layer_direction(layer, direction);
  if (s_.spec.mode != Mode::lstm)
    throw std::invalid_argument("cell_states: only an LSTM has a cell state");
  const auto& d = s_.dirs[layer * s_.spec.num_directions() + direction];
  const Index H = s_.spec.hidden_size;
  copy_scan_to_time(direction, d.c, H, H, 0, 1, out);
}

template <class T>
void Tape<T>::copy_hidden_states(Index layer, Index direction, T* out) const {
  check_layer_direction(layer, direction);
  const auto& d = s_.dirs[layer * s_.spec.num_directions() + direction];
  const Index P = s_.spec.output_size();
  copy_scan_to_time(direction, d.h, P, P, 0, 1, out);
}

template <class T>
void Tape<T>::copy_grad_hidden(Index layer, Index direction, T* out) const {
  check_layer_direction(layer, direction);
  if (!s_.has_grads) throw std::logic_error("grad_hidden: run a backward with this tape first");
  const auto& d = s_.dirs[layer * s_.spec.num_directions() + direction];
  const Index P = s_.spec.output_size();
  copy_scan_to_time(direction, d.dh, P, P, 0, 0, out);
}

template <class T>
void Tape<T>::copy_grad_cell(Index layer, Index direction, T* out) const {
  check_layer_direction(layer, direction);
  if (s_.spec.mode != Mode::lstm)
    throw std::invalid_argument("grad_cell: only an LSTM has a cell state");
  if (!s_.has_grads) throw std::logic_error("grad_cell: run a backward with this tape first");
  const auto& d = s_.dirs[layer * s_.spec.num_directions() + direction];
  const Index H = s_.spec.hidden_size;
  copy_scan_to_time(direction, d.dc, H, H, 0, 0, out);
}

template class Tape<float>;
template class Tape<double>;

}  // namespace lstmcore
