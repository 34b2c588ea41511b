// The parameter names and shapes a spec implies (DESIGN.md section 4), and WeightsArray/File.
#include <stdexcept>
#include <string>
#include <type_traits>

#include "lstmcore/weights_file.hpp"

namespace lstmcore {

std::vector<WeightsParamShape> weights_param_shapes(const RNNSpec& spec) {
  spec.validate();
  const Index G = spec.num_gates();
  const Index H = spec.hidden_size;
  const Index P = spec.output_size();
  const Index D = spec.num_directions();
  std::vector<WeightsParamShape> out;
  for (Index layer = 0; layer < spec.num_layers; ++layer) {
    const Index in = spec.layer_input_size(layer);
    for (Index direction = 0; direction < D; ++direction) {
      const std::string sfx = "_l" + std::to_string(layer) + (direction == 1 ? "_reverse" : "");
      out.push_back({"weight_ih" + sfx, {G * H, in}});
      out.push_back({"weight_hh" + sfx, {G * H, P}});
      if (spec.bias) {
        out.push_back({"bias_ih" + sfx, {G * H}});
        out.push_back({"bias_hh" + sfx, {G * H}});
      }
      if (spec.proj_size > 0) out.push_back({"weight_hr" + sfx, {P, H}});
      if (spec.peephole) out.push_back({"weight_peephole" + sfx, {spec.num_peepholes() * H}});
    }
  }
  return out;
}

// -- WeightsArray / WeightsFile ------------------------------------------------------------------

Index WeightsArray::numel() const {
  Index n = 1;
  for (Index d : shape) n *= d;
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
