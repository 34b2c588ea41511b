// Exposes lstmcore::build_info() as a dict.
#include <pybind11/stl.h>

#include "lstmcore/build_info.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace lstmcore::bindings {

void register_build_info(py::module_& m) {
  m.def(
      "build_info",
      [] {
        BuildInfo info = lstmcore::build_info();
        py::dict d;
        d["version"] = info.version;
        d["compiler"] = info.compiler;
        d["build_type"] = info.build_type;
        d["isa_compiled"] = info.isa_compiled;
        d["isa_active"] = info.isa_active;
        d["cuda"] = info.cuda;
        return d;
      },
      "Facts about how the compiled core was built.");
}

}  // namespace lstmcore::bindings
