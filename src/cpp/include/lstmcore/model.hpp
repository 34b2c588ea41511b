// Model<T>: a recurrent stack loaded from a weights file, ready for inference from C++;
// Stream<T>: its recurrent state, to process a signal one chunk or one step at a time.
//
//   auto model = lstmcore::Model<float>::load("model.lcw");  // saved by Python's model.save
//   auto stream = model.stream();                             // batch 1, zero state
//   for (each new frame x [I]) stream.step(x, y);             // y [P]; the state carries over
//
// Thread safety: a Model never changes after construction, so any number of threads may use
// one Model (and its copies, which share the weights) at once. A Stream holds mutable state: use
// each Stream from one thread at a time (give every thread, or every audio channel, its own).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lstmcore/params.hpp"
#include "lstmcore/spec.hpp"
#include "lstmcore/types.hpp"
#include "lstmcore/weights_file.hpp"

namespace lstmcore {

template <class T>
class Stream;

// T is float or double: the compute type (a file's values are converted to it).
template <class T>
class Model {
 public:
  // Reads a weights file. Throws std::runtime_error naming the file when it cannot be read or
  // is damaged, foreign or of an unknown format version.
  static Model load(const std::string& path);
  // From a file already read; throws std::invalid_argument when its parameters do not fit.
  explicit Model(const WeightsFile& file);

  const RNNSpec& spec() const;
  // The weights as the core's views (valid while this Model or one of its copies lives).
  const ParamSet<const T>& params() const;
  // One parameter's values (row-major); throws std::invalid_argument naming an unknown name.
  const std::vector<T>& param(const std::string& name) const;

  Index input_size() const;   // I: features per step of x
  Index output_size() const;  // D*P: features per step of y
  Index state_rows() const;   // L*D: rows of h_n and c_n

  // Whole sequences, stateless (zeros or the given initial state; any model, bidirectional too).
  // Arrays are C-contiguous; x and y are time-major, or batch-major when spec().batch_first:
  //   x        [T, B, I]        (batch_first: [B, T, I])
  //   y        [T, B, D*P]      (batch_first: [B, T, D*P]), written in full, 0 past each length
  //   h_n, c_n [L*D, B, P], [L*D, B, H] (c_n LSTM only); nullptr skips them
  //   h0, c0   like h_n, c_n; nullptr means zeros
  //   lengths  [B] in [0, T] for right-padded sequences of different lengths; nullptr = all T
  // Throws std::invalid_argument for a bad size or length.
  void forward(const T* x, Index steps, Index batch, T* y, T* h_n = nullptr, T* c_n = nullptr,
               const T* h0 = nullptr, const T* c0 = nullptr,
               const Index* lengths = nullptr) const;

  // A state of `batch` independent streams, starting from zeros. Streaming needs a causal model:
  // throws std::invalid_argument for a bidirectional one (its reverse pass needs the future).
  Stream<T> stream(Index batch = 1) const;

 private:
  struct Weights;
  std::shared_ptr<const Weights> w_;
};

// The recurrent state of a Model fed piece by piece: feeding a sequence in chunks of any sizes
// gives the outputs of one forward over the whole sequence.
template <class T>
class Stream {
 public:
  // Feeds `steps` more time steps (0 is allowed and does nothing):
  //   x [steps, batch, I], y [steps, batch, P] (batch_first: [batch, steps, .]), C-contiguous.
  void run(const T* x, Index steps, T* y);
  // One time step: x [batch, I], y [batch, P].
  void step(const T* x, T* y) { run(x, 1, y); }
  // Back to the zero state.
  void reset();
  // Sets the state: h [L, batch, P]; c [L, batch, H] for an LSTM (nullptr means zeros).
  void set_state(const T* h, const T* c = nullptr);

  const std::vector<T>& h() const { return h_; }  // [L, batch, P]
  const std::vector<T>& c() const { return c_; }  // [L, batch, H] (LSTM; empty otherwise)
  Index batch() const { return batch_; }
  const Model<T>& model() const { return model_; }

 private:
  friend class Model<T>;
  Stream(Model<T> model, Index batch);

  Model<T> model_;
  Index batch_;
  std::vector<T> h_, c_, h_next_, c_next_;
};

extern template class Model<float>;
extern template class Model<double>;
extern template class Stream<float>;
extern template class Stream<double>;

}  // namespace lstmcore
