// Facts about how this copy of lstmcore was built (version, compiler, SIMD levels, CUDA).
#pragma once

#include <string>
#include <vector>

namespace lstmcore {

struct BuildInfo {
  std::string version;
  std::string compiler;
  std::string build_type;
  std::vector<std::string> isa_compiled;  // SIMD instruction sets with kernels in this binary
  // The set the kernels use now: the best compiled one the CPU runs, capped by LSTMCORE_MAX_ISA
  // and set_max_isa.
  std::string isa_active;
  bool cuda = false;
};

BuildInfo build_info();

}  // namespace lstmcore
