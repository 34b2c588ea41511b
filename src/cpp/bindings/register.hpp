// Declarations of the register_* functions that module.cpp assembles.
#pragma once

#include <pybind11/pybind11.h>

namespace lstmcore::bindings {

void register_build_info(pybind11::module_& m);
void register_functional(pybind11::module_& m);
void register_kernels(pybind11::module_& m);
void register_tape(pybind11::module_& m);

}  // namespace lstmcore::bindings
