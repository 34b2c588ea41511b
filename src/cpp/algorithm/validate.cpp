// Argument checks of forward() and backward().
#include "algorithm/validate.hpp"

#include <stdexcept>

namespace lstmcore::detail {

std::string shape_string(const Index* shape, int n) {
  std::string s = "(";
  for (int i = 0; i < n; ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + (n == 1 ? ",)" : ")");
}

template <class T>
void check_view(const char* name, const View3<T>& v, const std::array<Index, 3>& shape,
                bool optional) {
  if (v.empty()) {
    if (optional) return;
    throw std::invalid_argument(std::string(name) + ": expected an array of shape " +
                                shape_string(shape.data(), 3) + ", got none");
  }
  if (v.shape != shape)
    throw std::invalid_argument(std::string(name) + ": expected shape " +
                                shape_string(shape.data(), 3) + ", got " +
                                shape_string(v.shape.data(), 3));
}

template <class P>
void check_param_set(const RNNSpec& spec, const ParamSet<P>& params, const char* name) {
  const Index D = spec.num_directions();
  if (static_cast<Index>(params.entries.size()) != spec.num_layers * D)
    throw std::invalid_argument(std::string(name) + ": expected " +
                                std::to_string(spec.num_layers * D) +
                                " layer-direction entries, got " +
                                std::to_string(params.entries.size()));
  for (Index k = 0; k < spec.num_layers; ++k)
    for (Index d = 0; d < D; ++d) {
      const auto& p = params.at(k, d, D);
      const std::string sfx = "_l" + std::to_string(k) + (d == 1 ? "_reverse" : "");
      auto need = [&](const void* ptr, const char* base) {
        if (!ptr)
          throw std::invalid_argument(std::string(name) + ": missing parameter " + base + sfx);
      };
      need(p.weight_ih, "weight_ih");
      need(p.weight_hh, "weight_hh");
      if (spec.bias) {
        need(p.bias_ih, "bias_ih");
        need(p.bias_hh, "bias_hh");
      }
      if (spec.mode == Mode::lstm && spec.proj_size > 0) need(p.weight_hr, "weight_hr");
      if (spec.num_peepholes() > 0) need(p.weight_peephole, "weight_peephole");
    }
}

void check_lengths(const Index* lengths, Index B, Index T) {
  if (!lengths) return;
  for (Index b = 0; b < B; ++b)
    if (lengths[b] < 0 || lengths[b] > T)
      throw std::invalid_argument("lengths: expected values in [0, T=" + std::to_string(T) +
                                  "], got " + std::to_string(lengths[b]) + " at index " +
                                  std::to_string(b));
}

template void check_view(const char*, const View3<const float>&, const std::array<Index, 3>&,
                         bool);
template void check_view(const char*, const View3<const double>&, const std::array<Index, 3>&,
                         bool);
template void check_view(const char*, const View3<float>&, const std::array<Index, 3>&, bool);
template void check_view(const char*, const View3<double>&, const std::array<Index, 3>&, bool);
template void check_param_set(const RNNSpec&, const ParamSet<const float>&, const char*);
template void check_param_set(const RNNSpec&, const ParamSet<const double>&, const char*);
template void check_param_set(const RNNSpec&, const ParamSet<float>&, const char*);
template void check_param_set(const RNNSpec&, const ParamSet<double>&, const char*);

}  // namespace lstmcore::detail
