// Conversions between Python objects and the core's types: the spec, array views, parameter
// sets. Validation happens here so the core never sees a mis-shaped or mistyped buffer.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <array>
#include <string>
#include <vector>

#include "lstmcore/lstmcore.hpp"

namespace lstmcore::bindings {

namespace py = pybind11;

// lstmcore.RNNSpec (or any object with its attributes) -> RNNSpec; ValueError when invalid.
RNNSpec spec_from_python(const py::handle& obj);

// Parameter base names and shapes of one layer (DESIGN.md section 4).
std::vector<std::pair<std::string, std::vector<Index>>> layer_param_shapes(const RNNSpec& spec,
                                                                           Index layer);
std::string param_suffix(Index layer, Index direction);

// The dtype of x decides the compute type; parameters and states are cast to it.
enum class DType { f32, f64 };
DType dtype_of(const py::handle& x, const char* name);

// An array of T (cast when its dtype differs; strides kept, so views are not copied) checked
// to have `ndim` dimensions.
template <class T>
py::array_t<T> as_array(const py::handle& obj, const char* name, int ndim) {
  auto arr = py::array_t<T, py::array::forcecast>::ensure(obj);
  if (!arr) throw py::type_error(std::string(name) + ": expected a float array");
  if (arr.ndim() != ndim)
    throw py::value_error(std::string(name) + ": expected " + std::to_string(ndim) +
                          "-D array, got ndim=" + std::to_string(arr.ndim()));
  // Strides that are no multiple of the item size cannot be a view: copy to C order.
  for (int d = 0; d < ndim; ++d)
    if (arr.strides(d) % static_cast<py::ssize_t>(sizeof(T)) != 0)
      return py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(obj);
  return arr;
}

template <class T>
View3<const T> const_view(const py::array_t<T>& a) {
  View3<const T> v;
  v.data = a.data();
  for (int d = 0; d < 3; ++d) {
    v.shape[d] = a.shape(d);
    v.strides[d] = a.strides(d) / static_cast<py::ssize_t>(sizeof(T));
  }
  return v;
}

template <class T>
View3<T> mutable_view(py::array_t<T>& a) {
  View3<T> v;
  v.data = a.mutable_data();
  for (int d = 0; d < 3; ++d) {
    v.shape[d] = a.shape(d);
    v.strides[d] = a.strides(d) / static_cast<py::ssize_t>(sizeof(T));
  }
  return v;
}

// A fresh C-contiguous array of the given shape.
template <class T>
py::array_t<T> new_array(const std::vector<Index>& shape) {
  std::vector<py::ssize_t> s(shape.begin(), shape.end());
  return py::array_t<T>(s);
}

// Parameters: a dict of arrays -> ParamSet views; `keep` holds the (possibly converted) arrays
// alive while the views are used. ValueError for a missing or misshaped entry.
template <class T>
ParamSet<const T> param_views(const RNNSpec& spec, const py::dict& params,
                              std::vector<py::array_t<T>>& keep);

// Fresh gradient arrays for every parameter (dict in canonical order) and their views.
template <class T>
ParamSet<T> new_grads(const RNNSpec& spec, py::dict& grads);

}  // namespace lstmcore::bindings
