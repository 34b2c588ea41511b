// The rules of a stored spec and the parameter names and shapes it implies (DESIGN.md s. 3-4).
#include <stdexcept>
#include <string>
#include <type_traits>

#include "lstmcore/weights_file.hpp"

namespace lstmcore {

namespace {

[[noreturn]] void bad_field(const std::string& field, const std::string& expected,
                            const std::string& got) {
  throw std::runtime_error("spec." + field + ": expected " + expected + ", got " + got);
}

void check_at_least(const char* field, std::int64_t value, std::int64_t minimum) {
  if (value < minimum) {
    bad_field(field, "an int >= " + std::to_string(minimum), std::to_string(value));
  }
}

std::int64_t num_gates(const WeightsFileSpec& spec) {
  if (spec.mode == "rnn") return 1;
  if (spec.mode == "gru") return 3;
  return spec.coupled ? 3 : 4;
}

}  // namespace

void validate_weights_spec(const WeightsFileSpec& spec) {
  if (spec.mode != "rnn" && spec.mode != "lstm" && spec.mode != "gru") {
    bad_field("mode", "\"rnn\", \"lstm\" or \"gru\"", "\"" + spec.mode + "\"");
  }
  check_at_least("input_size", spec.input_size, 1);
  check_at_least("hidden_size", spec.hidden_size, 1);
  check_at_least("num_layers", spec.num_layers, 1);
  check_at_least("proj_size", spec.proj_size, 0);
  if (!(spec.dropout >= 0.0 && spec.dropout < 1.0)) {
    bad_field("dropout", "a float in [0, 1)", std::to_string(spec.dropout));
  }
  if (spec.nonlinearity != "tanh" && spec.nonlinearity != "relu") {
    bad_field("nonlinearity", "\"tanh\" or \"relu\"", "\"" + spec.nonlinearity + "\"");
  }
  if (spec.mode != "lstm") {
    const std::string why = "false (only an LSTM has it; mode is " + spec.mode + ")";
    if (spec.peephole) bad_field("peephole", why, "true");
    if (spec.coupled) bad_field("coupled", why, "true");
    if (spec.proj_size != 0) {
      bad_field("proj_size", "0 (only an LSTM has a projection; mode is " + spec.mode + ")",
                std::to_string(spec.proj_size));
    }
  }
  if (spec.proj_size >= spec.hidden_size) {
    bad_field("proj_size", "0 or less than hidden_size=" + std::to_string(spec.hidden_size),
              std::to_string(spec.proj_size));
  }
  if (spec.mode != "rnn" && spec.nonlinearity != "tanh") {
    bad_field("nonlinearity", "\"tanh\" (only an RNN has this option; mode is " + spec.mode + ")",
              "\"" + spec.nonlinearity + "\"");
  }
}

std::vector<WeightsParamShape> weights_param_shapes(const WeightsFileSpec& spec) {
  validate_weights_spec(spec);
  const std::int64_t G = num_gates(spec);
  const std::int64_t H = spec.hidden_size;
  const std::int64_t P = spec.proj_size > 0 ? spec.proj_size : H;
  const std::int64_t D = spec.bidirectional ? 2 : 1;
  const std::int64_t num_peepholes = spec.coupled ? 2 : 3;  // rows (i,) f, o
  std::vector<WeightsParamShape> out;
  for (std::int64_t layer = 0; layer < spec.num_layers; ++layer) {
    const std::int64_t in = layer == 0 ? spec.input_size : D * P;
    for (std::int64_t direction = 0; direction < D; ++direction) {
      const std::string sfx = "_l" + std::to_string(layer) + (direction == 1 ? "_reverse" : "");
      out.push_back({"weight_ih" + sfx, {G * H, in}});
      out.push_back({"weight_hh" + sfx, {G * H, P}});
      if (spec.bias) {
        out.push_back({"bias_ih" + sfx, {G * H}});
        out.push_back({"bias_hh" + sfx, {G * H}});
      }
      if (spec.proj_size > 0) out.push_back({"weight_hr" + sfx, {P, H}});
      if (spec.peephole) out.push_back({"weight_peephole" + sfx, {num_peepholes * H}});
    }
  }
  return out;
}

// -- WeightsArray / WeightsFile ------------------------------------------------------------------

std::int64_t WeightsArray::numel() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

template <class T>
const T* WeightsArray::data() const {
  if constexpr (std::is_same_v<T, float>) {
    if (dtype == WeightsDType::float32) return f32.data();
  } else {
    if (dtype == WeightsDType::float64) return f64.data();
  }
  throw std::runtime_error("WeightsArray " + name + ": asked for " +
                           (std::is_same_v<T, float> ? "float32" : "float64") +
                           " data, but it holds " +
                           (dtype == WeightsDType::float32 ? "float32" : "float64") +
                           " (use values<T>() to convert)");
}

template <class T>
std::vector<T> WeightsArray::values() const {
  if (dtype == WeightsDType::float32) return std::vector<T>(f32.begin(), f32.end());
  return std::vector<T>(f64.begin(), f64.end());
}

template const float* WeightsArray::data<float>() const;
template const double* WeightsArray::data<double>() const;
template std::vector<float> WeightsArray::values<float>() const;
template std::vector<double> WeightsArray::values<double>() const;

const WeightsArray* WeightsFile::find(const std::string& name) const noexcept {
  for (const WeightsArray& a : params) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

const WeightsArray& WeightsFile::at(const std::string& name) const {
  if (const WeightsArray* a = find(name)) return *a;
  std::string names;
  for (const WeightsArray& a : params) names += (names.empty() ? "" : ", ") + a.name;
  throw std::runtime_error("WeightsFile: no parameter named " + name + " (it has: " + names + ")");
}

}  // namespace lstmcore
