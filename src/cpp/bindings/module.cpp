// Assembles the lstmcore._core module from the register_* pieces.
#include <pybind11/pybind11.h>

#include "register.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "lstmcore compiled core (internal; use the lstmcore package)";
  lstmcore::bindings::register_build_info(m);
  lstmcore::bindings::register_tape(m);
  lstmcore::bindings::register_functional(m);
  lstmcore::bindings::register_kernels(m);
}
