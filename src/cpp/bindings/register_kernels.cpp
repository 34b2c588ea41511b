// Run-time kernel settings (threads, ISA cap) and test hooks into single kernels (GEMM, vmath).
//
// The underscore names are internal: lstmcore._runtime wraps the settings with checks and
// docstrings, and tests/test_kernels.py drives the hooks to compare every compiled ISA.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "dispatch/isa.hpp"
#include "gemm.hpp"
#include "kernels/math_arrays.hpp"
#include "register.hpp"
#include "threads/thread_pool.hpp"

namespace py = pybind11;

namespace lstmcore::bindings {

namespace {

using dispatch::Isa;

Isa isa_from_name(const std::string& name, const char* arg) {
  Isa isa;
  if (!dispatch::parse_isa(name, &isa))
    throw py::value_error(std::string(arg) +
                          ": expected 'avx512', 'avx2' or 'baseline', got '" + name + "'");
  return isa;
}

// An ISA this machine runs (the hooks must never call code the CPU lacks).
Isa supported_isa(const std::string& name, const char* arg) {
  const Isa isa = isa_from_name(name, arg);
  for (Isa s : dispatch::supported_isas())
    if (s == isa) return isa;
  throw py::value_error(std::string(arg) + ": ISA '" + name +
                        "' is not compiled in or not supported by this CPU");
}

std::vector<std::string> isa_names(const std::vector<Isa>& isas) {
  std::vector<std::string> out;
  for (Isa isa : isas) out.emplace_back(dispatch::isa_name(isa));
  return out;
}

// A 2-D matrix view with unit column stride (rows may be padded: the leading dimension).
template <class T>
struct Mat {
  T* data;
  Index rows, cols, ld;
};

template <class T>
Mat<T> matrix(py::array& arr, const char* name) {
  if (!py::isinstance<py::array_t<T>>(arr))
    throw py::type_error(std::string(name) + ": expected a " +
                         (sizeof(T) == 4 ? "float32" : "float64") + " array like a");
  if (arr.ndim() != 2)
    throw py::value_error(std::string(name) + ": expected a 2-D array, got ndim=" +
                          std::to_string(arr.ndim()));
  const auto item = static_cast<py::ssize_t>(sizeof(T));
  const py::ssize_t rows = arr.shape(0), cols = arr.shape(1);
  // Empty arrays may come with zero strides: they are never read.
  const bool bad_cols = cols > 1 && arr.strides(1) != item;
  const bool bad_rows = rows > 1 && (arr.strides(0) % item != 0 || arr.strides(0) < cols * item);
  if (arr.size() > 0 && (bad_cols || bad_rows))
    throw py::value_error(std::string(name) +
                          ": expected rows of contiguous elements (unit column stride, row "
                          "stride >= columns)");
  const Index ld = rows > 1 && arr.size() > 0 ? arr.strides(0) / item : (cols > 0 ? cols : 1);
  return Mat<T>{static_cast<T*>(arr.mutable_data()), rows, cols, ld < 1 ? 1 : ld};
}

// C = alpha op(A) op(B) + beta C in place. isa: None = the engine's route (detail::gemm: active
// ISA, threads), "plain" = the portable oracle, an ISA name = that ISA's single-thread kernel.
template <class T>
void gemm_typed(py::array a_arr, py::array b_arr, py::array c_arr, bool trans_a, bool trans_b,
                double alpha_d, double beta_d, const py::object& isa) {
  if (!c_arr.writeable()) throw py::value_error("c: expected a writeable array");
  const Mat<T> a = matrix<T>(a_arr, "a");
  const Mat<T> b = matrix<T>(b_arr, "b");
  const Mat<T> c = matrix<T>(c_arr, "c");
  const Index m = trans_a ? a.cols : a.rows;
  const Index k = trans_a ? a.rows : a.cols;
  const Index kb = trans_b ? b.cols : b.rows;
  const Index n = trans_b ? b.rows : b.cols;
  if (kb != k)
    throw py::value_error("b: op(b) has " + std::to_string(kb) + " rows, op(a) has " +
                          std::to_string(k) + " columns");
  if (c.rows != m || c.cols != n)
    throw py::value_error("c: expected shape (" + std::to_string(m) + ", " + std::to_string(n) +
                          "), got (" + std::to_string(c.rows) + ", " + std::to_string(c.cols) +
                          ")");
  const T alpha = static_cast<T>(alpha_d), beta = static_cast<T>(beta_d);
  enum class Route { engine, plain, isa } route = Route::engine;
  Isa which = Isa::kBaseline;
  if (!isa.is_none()) {
    const std::string name = py::cast<std::string>(isa);
    if (name == "plain") {
      route = Route::plain;
    } else {
      route = Route::isa;
      which = supported_isa(name, "isa");
    }
  }
  py::gil_scoped_release release;
  switch (route) {
    case Route::engine:
      detail::gemm(trans_a, trans_b, m, n, k, alpha, a.data, a.ld, b.data, b.ld, beta, c.data,
                   c.ld);
      break;
    case Route::plain:
      detail::gemm_plain(trans_a, trans_b, m, n, k, alpha, a.data, a.ld, b.data, b.ld, beta,
                         c.data, c.ld);
      break;
    case Route::isa:
      if (m > 0 && n > 0 && k > 0 && alpha != T(0)) {
        const kernels::GemmArgs<T> args{trans_a, trans_b, m,    n,    k,      alpha, a.data,
                                        a.ld,    b.data,  b.ld, beta, c.data, c.ld};
        dispatch::kernels_for(which).typed<T>().gemm(args);
      } else {
        // The ISA kernels take non-degenerate products only; the oracle scales C alike.
        detail::gemm_plain(trans_a, trans_b, m, n, k, alpha, a.data, a.ld, b.data, b.ld, beta,
                           c.data, c.ld);
      }
      break;
  }
}

template <class T>
py::array_t<T> vmath_typed(const std::string& fn, py::array x_arr, const py::object& isa) {
  auto x = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(x_arr);
  py::array_t<T> y(x.request().shape);
  const Index n = static_cast<Index>(x.size());
  const T* src = x.data();
  T* dst = y.mutable_data();
  using Fn = void (*)(kernels::index_t, const T*, T*);
  Fn f = nullptr;
  if (isa.is_none()) {
    if (fn == "exp") f = &kernels::exp_array;
    if (fn == "sigmoid") f = &kernels::sigmoid_array;
    if (fn == "tanh") f = &kernels::tanh_array;
  } else {
    const kernels::TypedKernels<T>& kern =
        dispatch::kernels_for(supported_isa(py::cast<std::string>(isa), "isa")).typed<T>();
    if (fn == "exp") f = kern.exp;
    if (fn == "sigmoid") f = kern.sigmoid;
    if (fn == "tanh") f = kern.tanh;
  }
  if (f == nullptr)
    throw py::value_error("fn: expected 'exp', 'sigmoid' or 'tanh', got '" + fn + "'");
  {
    py::gil_scoped_release release;
    f(n, src, dst);
  }
  return y;
}

}  // namespace

void register_kernels(py::module_& m) {
  m.def("_get_num_threads", &threads::get_num_threads,
        "Threads the core's parallel regions use.");
  m.def(
      "_set_num_threads", [](int n) { threads::set_num_threads(n); }, py::arg("n"),
      "n >= 1 sets the thread count; n <= 0 restores the default (LSTMCORE_NUM_THREADS or the "
      "CPUs this process may use).");
  m.def(
      "_get_isa", [] { return std::string(dispatch::isa_name(dispatch::active_isa())); },
      "The ISA the kernels use now.");
  m.def(
      "_set_max_isa",
      [](const py::object& name) {
        if (name.is_none()) {
          dispatch::reset_max_isa();
        } else {
          dispatch::set_max_isa(isa_from_name(py::cast<std::string>(name), "name"));
        }
      },
      py::arg("name"), "Caps the active ISA (None drops the cap; LSTMCORE_MAX_ISA still applies).");
  m.def(
      "_available_isas", [] { return isa_names(dispatch::supported_isas()); },
      "Compiled ISAs this machine runs, lowest first.");
  m.def(
      "_gemm",
      [](py::array a, py::array b, py::array c, bool trans_a, bool trans_b, double alpha,
         double beta, const py::object& isa) {
        if (py::isinstance<py::array_t<float>>(a)) {
          gemm_typed<float>(a, b, c, trans_a, trans_b, alpha, beta, isa);
        } else if (py::isinstance<py::array_t<double>>(a)) {
          gemm_typed<double>(a, b, c, trans_a, trans_b, alpha, beta, isa);
        } else {
          throw py::type_error("a: expected a float32 or float64 array");
        }
      },
      py::arg("a"), py::arg("b"), py::arg("c"), py::arg("trans_a") = false,
      py::arg("trans_b") = false, py::arg("alpha") = 1.0, py::arg("beta") = 0.0,
      py::arg("isa") = py::none(),
      "Test hook: c = alpha op(a) op(b) + beta c in place. isa None: the engine's GEMM; "
      "'plain': the portable oracle; an ISA name: that ISA's kernel on one thread.");
  m.def(
      "_vmath",
      [](const std::string& fn, py::array x, const py::object& isa) -> py::object {
        if (py::isinstance<py::array_t<float>>(x)) return vmath_typed<float>(fn, x, isa);
        if (py::isinstance<py::array_t<double>>(x)) return vmath_typed<double>(fn, x, isa);
        throw py::type_error("x: expected a float32 or float64 array");
      },
      py::arg("fn"), py::arg("x"), py::arg("isa") = py::none(),
      "Test hook: exp/sigmoid/tanh of x with the active ISA's (or the given ISA's) kernels.");
}

}  // namespace lstmcore::bindings
