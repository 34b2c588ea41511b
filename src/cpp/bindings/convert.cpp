// Conversions between Python objects and the core's types.
#include "convert.hpp"

namespace lstmcore::bindings {

RNNSpec spec_from_python(const py::handle& obj) {
  RNNSpec s;
  try {
    const auto mode = obj.attr("mode").cast<std::string>();
    if (mode == "rnn") {
      s.mode = Mode::rnn;
    } else if (mode == "lstm") {
      s.mode = Mode::lstm;
    } else if (mode == "gru") {
      s.mode = Mode::gru;
    } else {
      throw py::value_error("spec: unknown mode '" + mode + "'");
    }
    s.input_size = obj.attr("input_size").cast<Index>();
    s.hidden_size = obj.attr("hidden_size").cast<Index>();
    s.num_layers = obj.attr("num_layers").cast<Index>();
    s.bias = obj.attr("bias").cast<bool>();
    s.batch_first = obj.attr("batch_first").cast<bool>();
    s.dropout = obj.attr("dropout").cast<double>();
    s.bidirectional = obj.attr("bidirectional").cast<bool>();
    s.proj_size = obj.attr("proj_size").cast<Index>();
    s.peephole = obj.attr("peephole").cast<bool>();
    s.coupled = obj.attr("coupled").cast<bool>();
    s.linear_before_reset = obj.attr("linear_before_reset").cast<bool>();
    const auto nl = obj.attr("nonlinearity").cast<std::string>();
    if (nl != "tanh" && nl != "relu")
      throw py::value_error("spec: unknown nonlinearity '" + nl + "'");
    s.nonlinearity = nl == "relu" ? Nonlinearity::relu : Nonlinearity::tanh;
  } catch (const py::cast_error&) {
    throw py::type_error("spec: expected an lstmcore.RNNSpec");
  } catch (const py::error_already_set&) {
    throw py::type_error("spec: expected an lstmcore.RNNSpec");
  }
  s.validate();
  return s;
}

std::vector<std::pair<std::string, std::vector<Index>>> layer_param_shapes(const RNNSpec& spec,
                                                                           Index layer) {
  const Index GH = spec.num_gates() * spec.hidden_size, P = spec.output_size();
  std::vector<std::pair<std::string, std::vector<Index>>> out;
  out.push_back({"weight_ih", {GH, spec.layer_input_size(layer)}});
  out.push_back({"weight_hh", {GH, P}});
  if (spec.bias) {
    out.push_back({"bias_ih", {GH}});
    out.push_back({"bias_hh", {GH}});
  }
  if (spec.mode == Mode::lstm && spec.proj_size > 0)
    out.push_back({"weight_hr", {P, spec.hidden_size}});
  if (spec.num_peepholes() > 0)
    out.push_back({"weight_peephole", {spec.num_peepholes() * spec.hidden_size}});
  return out;
}

std::string param_suffix(Index layer, Index direction) {
  return "_l" + std::to_string(layer) + (direction == 1 ? "_reverse" : "");
}

DType dtype_of(const py::handle& x, const char* name) {
  if (py::isinstance<py::array_t<float>>(x)) return DType::f32;
  if (py::isinstance<py::array_t<double>>(x)) return DType::f64;
  throw py::type_error(std::string(name) + ": expected a float32 or float64 ndarray");
}

namespace {

template <class P>
P*& slot(LayerParams<P>& lp, const std::string& base) {
  if (base == "weight_ih") return lp.weight_ih;
  if (base == "weight_hh") return lp.weight_hh;
  if (base == "bias_ih") return lp.bias_ih;
  if (base == "bias_hh") return lp.bias_hh;
  if (base == "weight_hr") return lp.weight_hr;
  return lp.weight_peephole;
}

std::string shape_str(const std::vector<Index>& s) {
  std::string r = "(";
  for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + (s.size() == 1 ? ",)" : ")");
}

}  // namespace

template <class T>
ParamSet<const T> param_views(const RNNSpec& spec, const py::dict& params,
                              std::vector<py::array_t<T>>& keep) {
  const Index D = spec.num_directions();
  // Every name must be there before anything is allocated: a forged num_layers (2**40) then
  // fails at the first absent name (within params.size() + 1 lookups) instead of allocating a
  // ParamSet of 2**41 entries.
  for (Index k = 0; k < spec.num_layers; ++k)
    for (Index d = 0; d < D; ++d)
      for (const auto& entry : layer_param_shapes(spec, k)) {
        const std::string name = entry.first + param_suffix(k, d);
        if (!params.contains(name))
          throw py::value_error("params: missing parameter '" + name + "'");
      }
  ParamSet<const T> set(spec);
  for (Index k = 0; k < spec.num_layers; ++k)
    for (Index d = 0; d < D; ++d)
      for (const auto& [base, shape] : layer_param_shapes(spec, k)) {
        const std::string name = base + param_suffix(k, d);
        if (!params.contains(name))
          throw py::value_error("params: missing parameter '" + name + "'");
        auto arr = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(
            params[name.c_str()]);
        if (!arr) throw py::type_error("params['" + name + "']: expected a float array");
        std::vector<Index> got(arr.shape(), arr.shape() + arr.ndim());
        if (got != shape)
          throw py::value_error("params['" + name + "']: expected shape " + shape_str(shape) +
                                ", got " + shape_str(got));
        keep.push_back(arr);
        slot(set.at(k, d, D), base) = arr.data();
      }
  return set;
}

template <class T>
ParamSet<T> new_grads(const RNNSpec& spec, py::dict& grads) {
  const Index D = spec.num_directions();
  ParamSet<T> set(spec);
  for (Index k = 0; k < spec.num_layers; ++k)
    for (Index d = 0; d < D; ++d)
      for (const auto& [base, shape] : layer_param_shapes(spec, k)) {
        auto arr = new_array<T>(shape);
        slot(set.at(k, d, D), base) = arr.mutable_data();
        grads[py::str(base + param_suffix(k, d))] = arr;
      }
  return set;
}

template ParamSet<const float> param_views(const RNNSpec&, const py::dict&,
                                           std::vector<py::array_t<float>>&);
template ParamSet<const double> param_views(const RNNSpec&, const py::dict&,
                                            std::vector<py::array_t<double>>&);
template ParamSet<float> new_grads<float>(const RNNSpec&, py::dict&);
template ParamSet<double> new_grads<double>(const RNNSpec&, py::dict&);

}  // namespace lstmcore::bindings
