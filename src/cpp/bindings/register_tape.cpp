// Binds Tape<float> / Tape<double> as _core.Tape32 / _core.Tape64: the saved activations and
// their inspection copies (time order, zero past each length).
#include <pybind11/stl.h>

#include <memory>

#include "convert.hpp"
#include "register.hpp"

namespace lstmcore::bindings {

namespace {

const char* const kLstmGates[] = {"i", "f", "g", "o"};
const char* const kGruGates[] = {"r", "z", "n"};
const char* const kRnnGates[] = {"h"};

template <class T, class Fn>
py::array_t<T> inspect(const Tape<T>& tape, Index width, Fn&& copy) {
  auto out = new_array<T>({tape.seq_len(), tape.batch(), width});
  T* data = out.mutable_data();
  {
    py::gil_scoped_release release;
    copy(data);
  }
  return out;
}

template <class T>
void bind_tape(py::module_& m, const char* name) {
  using TapeT = Tape<T>;
  py::class_<TapeT, std::shared_ptr<TapeT>>(m, name, "Saved activations of a training forward.")
      .def_property_readonly("nbytes", &TapeT::nbytes)
      .def_property_readonly("seed", &TapeT::seed)
      .def_property_readonly("has_grads", &TapeT::has_grads)
      .def_property_readonly("seq_len", &TapeT::seq_len)
      .def_property_readonly("batch", &TapeT::batch)
      .def(
          "gates",
          [](const TapeT& t, Index layer, Index direction) {
            const RNNSpec& s = t.spec();
            const char* const* names = s.mode == Mode::lstm  ? kLstmGates
                                       : s.mode == Mode::gru ? kGruGates
                                                             : kRnnGates;
            py::dict out;
            for (Index g = 0; g < t.num_inspect_gates(); ++g)
              out[names[g]] = inspect(t, s.hidden_size, [&](T* d) {
                t.copy_gate(layer, direction, g, d);
              });
            return out;
          },
          py::arg("layer"), py::arg("direction") = 0)
      .def(
          "cell_states",
          [](const TapeT& t, Index layer, Index direction) {
            return inspect(t, t.spec().hidden_size,
                           [&](T* d) { t.copy_cell_states(layer, direction, d); });
          },
          py::arg("layer"), py::arg("direction") = 0)
      .def(
          "hidden_states",
          [](const TapeT& t, Index layer, Index direction) {
            return inspect(t, t.spec().output_size(),
                           [&](T* d) { t.copy_hidden_states(layer, direction, d); });
          },
          py::arg("layer"), py::arg("direction") = 0)
      .def(
          "grad_hidden",
          [](const TapeT& t, Index layer, Index direction) {
            return inspect(t, t.spec().output_size(),
                           [&](T* d) { t.copy_grad_hidden(layer, direction, d); });
          },
          py::arg("layer"), py::arg("direction") = 0)
      .def(
          "grad_cell",
          [](const TapeT& t, Index layer, Index direction) {
            return inspect(t, t.spec().hidden_size,
                           [&](T* d) { t.copy_grad_cell(layer, direction, d); });
          },
          py::arg("layer"), py::arg("direction") = 0);
}

}  // namespace

void register_tape(py::module_& m) {
  bind_tape<float>(m, "Tape32");
  bind_tape<double>(m, "Tape64");
}

}  // namespace lstmcore::bindings
