// Model<T> and Stream<T>: owned weights plus contiguous-array entry points over lstmcore::forward.
#include "lstmcore/model.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <utility>

#include "lstmcore/functional.hpp"
#include "lstmcore/views.hpp"

namespace lstmcore {

template <class T>
struct Model<T>::Weights {
  RNNSpec spec;
  std::vector<std::string> names;       // canonical order
  std::vector<std::vector<T>> values;   // same order, row-major
  ParamSet<const T> views;
};

namespace {

// [T, B, F] view of a C-contiguous array that is time-major, or batch-major when batch_first.
template <class V, class P>
V sequence_view(P* data, Index steps, Index batch, Index features, bool batch_first) {
  V v;
  v.data = data;
  v.shape = {steps, batch, features};
  v.strides = batch_first ? std::array<Index, 3>{features, steps * features, 1}
                          : std::array<Index, 3>{batch * features, features, 1};
  return v;
}

template <class P>
View3<P> state_view(P* data, Index rows, Index batch, Index features) {
  if (data == nullptr) return {};
  return contiguous_view<P, 3>(data, {rows, batch, features});
}

void check_positive(const char* name, Index v) {
  if (v < 1) {
    throw std::invalid_argument(std::string(name) + ": expected >= 1, got " + std::to_string(v));
  }
}

}  // namespace

template <class T>
Model<T> Model<T>::load(const std::string& path) {
  return Model<T>(read_weights_file(path));
}

template <class T>
Model<T>::Model(const WeightsFile& file) {
  auto w = std::make_shared<Weights>();
  w->spec = file.spec;
  const std::vector<WeightsParamShape> shapes = weights_param_shapes(file.spec);
  for (const WeightsParamShape& want : shapes) {
    const WeightsArray* a = file.find(want.name);
    if (a == nullptr) throw std::invalid_argument("Model: parameter " + want.name + " is missing");
    if (a->shape != want.shape) {
      throw std::invalid_argument("Model: parameter " + want.name + " has the wrong shape");
    }
    std::vector<T> v = a->values<T>();
    if (static_cast<Index>(v.size()) != a->numel()) {
      throw std::invalid_argument("Model: parameter " + want.name + " holds " +
                                  std::to_string(v.size()) + " values, its shape needs " +
                                  std::to_string(a->numel()));
    }
    w->names.push_back(want.name);
    w->values.push_back(std::move(v));
  }
  const RNNSpec& spec = w->spec;
  const Index D = spec.num_directions();
  w->views = ParamSet<const T>(spec);
  for (Index layer = 0; layer < spec.num_layers; ++layer) {
    for (Index d = 0; d < D; ++d) {
      const std::string sfx = "_l" + std::to_string(layer) + (d == 1 ? "_reverse" : "");
      LayerParams<const T>& p = w->views.at(layer, d, D);
      auto slot = [&](const std::string& base) -> const T* {
        const auto it = std::find(w->names.begin(), w->names.end(), base + sfx);
        return it == w->names.end() ? nullptr : w->values[it - w->names.begin()].data();
      };
      p.weight_ih = slot("weight_ih");
      p.weight_hh = slot("weight_hh");
      p.bias_ih = slot("bias_ih");
      p.bias_hh = slot("bias_hh");
      p.weight_hr = slot("weight_hr");
      p.weight_peephole = slot("weight_peephole");
    }
  }
  w_ = std::move(w);
}

template <class T>
const RNNSpec& Model<T>::spec() const {
  return w_->spec;
}

template <class T>
const ParamSet<const T>& Model<T>::params() const {
  return w_->views;
}

template <class T>
const std::vector<T>& Model<T>::param(const std::string& name) const {
  const auto it = std::find(w_->names.begin(), w_->names.end(), name);
  if (it == w_->names.end()) throw std::invalid_argument("Model: no parameter named " + name);
  return w_->values[it - w_->names.begin()];
}

template <class T>
Index Model<T>::input_size() const {
  return w_->spec.input_size;
}

template <class T>
Index Model<T>::output_size() const {
  return w_->spec.num_directions() * w_->spec.output_size();
}

template <class T>
Index Model<T>::state_rows() const {
  return w_->spec.num_layers * w_->spec.num_directions();
}

template <class T>
void Model<T>::forward(const T* x, Index steps, Index batch, T* y, T* h_n, T* c_n, const T* h0,
                       const T* c0, const Index* lengths) const {
  const RNNSpec& spec = w_->spec;
  check_positive("steps", steps);
  check_positive("batch", batch);
  if (x == nullptr || y == nullptr) {
    throw std::invalid_argument("forward: x and y must not be null");
  }
  const bool bf = spec.batch_first;
  const Index rows = state_rows();
  const bool lstm = spec.has_cell_state();
  ForwardInputs<T> in;
  in.x = sequence_view<View3<const T>>(x, steps, batch, spec.input_size, bf);
  in.h0 = state_view<const T>(h0, rows, batch, spec.output_size());
  if (lstm) in.c0 = state_view<const T>(c0, rows, batch, spec.hidden_size);
  in.lengths = lengths;
  // The core writes h_n (and c_n) always; a caller that skips them gets a scratch buffer.
  std::vector<T> h_scratch;
  if (h_n == nullptr) {
    h_scratch.resize(static_cast<std::size_t>(rows * batch * spec.output_size()));
    h_n = h_scratch.data();
  }
  ForwardOutputs<T> out;
  out.y = sequence_view<View3<T>>(y, steps, batch, output_size(), bf);
  out.h_n = state_view<T>(h_n, rows, batch, spec.output_size());
  if (lstm) out.c_n = state_view<T>(c_n, rows, batch, spec.hidden_size);
  lstmcore::forward<T>(spec, w_->views, in, out, nullptr, 0);
}

template <class T>
Stream<T> Model<T>::stream(Index batch) const {
  if (w_->spec.bidirectional) {
    throw std::invalid_argument(
        "stream: a bidirectional model cannot be streamed (its reverse pass reads the whole "
        "sequence); call forward on complete sequences instead");
  }
  check_positive("batch", batch);
  return Stream<T>(*this, batch);
}

// -- Stream ----------------------------------------------------------------------------------

template <class T>
Stream<T>::Stream(Model<T> model, Index batch) : model_(std::move(model)), batch_(batch) {
  const RNNSpec& spec = model_.spec();
  h_.assign(static_cast<std::size_t>(spec.num_layers * batch * spec.output_size()), T(0));
  if (spec.has_cell_state()) {
    c_.assign(static_cast<std::size_t>(spec.num_layers * batch * spec.hidden_size), T(0));
  }
  h_next_ = h_;
  c_next_ = c_;
}

template <class T>
void Stream<T>::run(const T* x, Index steps, T* y) {
  if (steps < 0) {
    throw std::invalid_argument("run: steps must be >= 0, got " + std::to_string(steps));
  }
  if (steps == 0) return;
  const bool lstm = model_.spec().has_cell_state();
  model_.forward(x, steps, batch_, y, h_next_.data(), lstm ? c_next_.data() : nullptr, h_.data(),
                 lstm ? c_.data() : nullptr);
  // Only a call that succeeded moves the state forward.
  h_.swap(h_next_);
  c_.swap(c_next_);
}

template <class T>
void Stream<T>::reset() {
  std::fill(h_.begin(), h_.end(), T(0));
  std::fill(c_.begin(), c_.end(), T(0));
}

template <class T>
void Stream<T>::set_state(const T* h, const T* c) {
  if (h == nullptr) {
    std::fill(h_.begin(), h_.end(), T(0));
  } else {
    std::copy(h, h + h_.size(), h_.begin());
  }
  if (c == nullptr) {
    std::fill(c_.begin(), c_.end(), T(0));
  } else {
    std::copy(c, c + c_.size(), c_.begin());
  }
}

template class Model<float>;
template class Model<double>;
template class Stream<float>;
template class Stream<double>;

}  // namespace lstmcore
