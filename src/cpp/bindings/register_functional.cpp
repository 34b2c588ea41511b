// Binds lstmcore::forward / lstmcore::backward as _core.forward / _core.backward (canonical
// time-major arrays in, fresh arrays and a tape object out; the GIL is released while computing).
#include <pybind11/stl.h>

#include <memory>

#include "convert.hpp"
#include "register.hpp"

namespace lstmcore::bindings {

namespace {

template <class T>
View3<const T> optional_view(const py::object& obj, const char* name,
                             std::vector<py::array_t<T>>& keep) {
  if (obj.is_none()) return {};
  keep.push_back(as_array<T>(obj, name, 3));
  return const_view(keep.back());
}

template <class T>
py::tuple forward_typed(const RNNSpec& spec, const py::dict& params, const py::object& x,
                        const py::object& h0, const py::object& c0, const py::object& lengths,
                        bool training, std::uint64_t seed) {
  std::vector<py::array_t<T>> keep;
  const ParamSet<const T> pset = param_views<T>(spec, params, keep);
  ForwardInputs<T> in;
  keep.push_back(as_array<T>(x, "x", 3));
  in.x = const_view(keep.back());
  in.h0 = optional_view<T>(h0, "h0", keep);
  if (spec.has_cell_state()) in.c0 = optional_view<T>(c0, "c0", keep);
  py::array_t<Index, py::array::c_style | py::array::forcecast> lens;
  if (!lengths.is_none()) {
    lens = py::array_t<Index, py::array::c_style | py::array::forcecast>::ensure(lengths);
    if (!lens || lens.ndim() != 1 || lens.shape(0) != in.x.shape[1])
      throw py::value_error("lengths: expected an int array of shape (" +
                            std::to_string(in.x.shape[1]) + ",)");
    in.lengths = lens.data();
  }
  const Index T_ = in.x.shape[0], B = in.x.shape[1];
  const Index LD = spec.num_layers * spec.num_directions();
  auto y = new_array<T>({T_, B, spec.num_directions() * spec.output_size()});
  auto h_n = new_array<T>({LD, B, spec.output_size()});
  ForwardOutputs<T> out;
  out.y = mutable_view(y);
  out.h_n = mutable_view(h_n);
  py::object c_n_obj = py::none();
  py::array_t<T> c_n;
  if (spec.has_cell_state()) {
    c_n = new_array<T>({LD, B, spec.hidden_size});
    out.c_n = mutable_view(c_n);
    c_n_obj = c_n;
  }
  std::shared_ptr<Tape<T>> tape = training ? std::make_shared<Tape<T>>() : nullptr;
  {
    py::gil_scoped_release release;
    forward<T>(spec, pset, in, out, tape.get(), seed);
  }
  py::object tape_obj = tape ? py::cast(tape) : py::none();
  return py::make_tuple(y, h_n, c_n_obj, tape_obj);
}

template <class T>
py::tuple backward_typed(const RNNSpec& spec, const py::dict& params, Tape<T>& tape,
                         const py::object& dy, const py::object& dh_n, const py::object& dc_n) {
  std::vector<py::array_t<T>> keep;
  const ParamSet<const T> pset = param_views<T>(spec, params, keep);
  BackwardInputs<T> in;
  keep.push_back(as_array<T>(dy, "dy", 3));
  in.dy = const_view(keep.back());
  in.dh_n = optional_view<T>(dh_n, "dh_n", keep);
  if (spec.has_cell_state()) in.dc_n = optional_view<T>(dc_n, "dc_n", keep);
  const Index T_ = tape.seq_len(), B = tape.batch();
  const Index LD = spec.num_layers * spec.num_directions();
  auto dx = new_array<T>({T_, B, spec.input_size});
  auto dh0 = new_array<T>({LD, B, spec.output_size()});
  BackwardOutputs<T> out;
  out.dx = mutable_view(dx);
  out.dh0 = mutable_view(dh0);
  py::object dc0_obj = py::none();
  py::array_t<T> dc0;
  if (spec.has_cell_state()) {
    dc0 = new_array<T>({LD, B, spec.hidden_size});
    out.dc0 = mutable_view(dc0);
    dc0_obj = dc0;
  }
  py::dict grads;
  out.grads = new_grads<T>(spec, grads);
  {
    py::gil_scoped_release release;
    backward<T>(spec, pset, tape, in, out);
  }
  return py::make_tuple(dx, dh0, dc0_obj, grads);
}

}  // namespace

void register_functional(py::module_& m) {
  m.def(
      "forward",
      [](const py::object& spec_obj, const py::dict& params, const py::object& x,
         const py::object& h0, const py::object& c0, const py::object& lengths, bool training,
         std::uint64_t seed) {
        const RNNSpec spec = spec_from_python(spec_obj);
        if (dtype_of(x, "x") == DType::f32)
          return forward_typed<float>(spec, params, x, h0, c0, lengths, training, seed);
        return forward_typed<double>(spec, params, x, h0, c0, lengths, training, seed);
      },
      py::arg("spec"), py::arg("params"), py::arg("x"), py::arg("h0") = py::none(),
      py::arg("c0") = py::none(), py::arg("lengths") = py::none(), py::arg("training") = false,
      py::arg("seed") = 0,
      "Run the stack on time-major x [T, B, I]; returns (y, h_n, c_n or None, tape or None).");
  m.def(
      "backward",
      [](const py::object& spec_obj, const py::dict& params, const py::object& tape,
         const py::object& dy, const py::object& dh_n, const py::object& dc_n) {
        const RNNSpec spec = spec_from_python(spec_obj);
        if (py::isinstance<Tape<float>>(tape))
          return backward_typed<float>(spec, params, tape.cast<Tape<float>&>(), dy, dh_n, dc_n);
        if (py::isinstance<Tape<double>>(tape))
          return backward_typed<double>(spec, params, tape.cast<Tape<double>&>(), dy, dh_n,
                                        dc_n);
        throw py::type_error("tape: expected a tape of _core.forward(training=True)");
      },
      py::arg("spec"), py::arg("params"), py::arg("tape"), py::arg("dy"),
      py::arg("dh_n") = py::none(), py::arg("dc_n") = py::none(),
      "BPTT over a training forward's tape; returns (dx, dh0, dc0 or None, grads).");
}

}  // namespace lstmcore::bindings
