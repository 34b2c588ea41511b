// RNNSpec's derived sizes and its validation.
#include "lstmcore/spec.hpp"

#include <stdexcept>
#include <string>

namespace lstmcore {

Index RNNSpec::num_gates() const {
  switch (mode) {
    case Mode::rnn:
      return 1;
    case Mode::lstm:
      return coupled ? 3 : 4;
    case Mode::gru:
      return 3;
  }
  return 0;
}

Index RNNSpec::layer_input_size(Index layer) const {
  return layer == 0 ? input_size : num_directions() * output_size();
}

Index RNNSpec::num_peepholes() const {
  if (mode != Mode::lstm || !peephole) return 0;
  return coupled ? 2 : 3;
}

// Bounds that keep every size product the engine forms (e.g. G*H*I_k, 2*L*D*G*H) far inside a
// 64-bit Index; real models are orders of magnitude smaller.
constexpr Index kMaxFeatureSize = Index(1) << 24;
constexpr Index kMaxLayers = Index(1) << 16;

void RNNSpec::validate() const {
  auto fail = [](const std::string& msg) { throw std::invalid_argument("spec: " + msg); };
  auto check_max = [&](const char* name, Index value, Index limit) {
    if (value > limit)
      fail(std::string(name) + " must be <= " + std::to_string(limit) + ", got " +
           std::to_string(value));
  };
  if (mode != Mode::rnn && mode != Mode::lstm && mode != Mode::gru) fail("unknown mode");
  if (input_size < 1) fail("input_size must be >= 1, got " + std::to_string(input_size));
  if (hidden_size < 1) fail("hidden_size must be >= 1, got " + std::to_string(hidden_size));
  if (num_layers < 1) fail("num_layers must be >= 1, got " + std::to_string(num_layers));
  check_max("input_size", input_size, kMaxFeatureSize);
  check_max("hidden_size", hidden_size, kMaxFeatureSize);
  check_max("num_layers", num_layers, kMaxLayers);
  if (!(dropout >= 0.0 && dropout < 1.0))
    fail("dropout must be in [0, 1), got " + std::to_string(dropout));
  if (proj_size < 0 || proj_size >= hidden_size)
    fail("proj_size must be 0 or in [1, hidden_size=" + std::to_string(hidden_size) + "), got " +
         std::to_string(proj_size));
  if (mode != Mode::lstm && (peephole || coupled || proj_size != 0))
    fail("peephole, coupled and proj_size are LSTM options");
  if (mode != Mode::rnn && nonlinearity != Nonlinearity::tanh)
    fail("nonlinearity relu is an RNN option");
}

bool RNNSpec::operator==(const RNNSpec& o) const {
  return mode == o.mode && input_size == o.input_size && hidden_size == o.hidden_size &&
         num_layers == o.num_layers && bias == o.bias && batch_first == o.batch_first &&
         dropout == o.dropout && bidirectional == o.bidirectional && proj_size == o.proj_size &&
         peephole == o.peephole && coupled == o.coupled &&
         linear_before_reset == o.linear_before_reset && nonlinearity == o.nonlinearity;
}

}  // namespace lstmcore
