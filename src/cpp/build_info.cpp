// Reports the compiler, SIMD kernel sets and CUDA switch this library was built with, and the
// kernel set chosen at run time.
#include "lstmcore/build_info.hpp"

#include "dispatch/isa.hpp"

namespace lstmcore {

namespace {

std::string compiler_string() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#elif defined(_MSC_VER)
  return "msvc " + std::to_string(_MSC_VER);
#else
  return "unknown";
#endif
}

}  // namespace

BuildInfo build_info() {
  BuildInfo info;
  info.version = LSTMCORE_VERSION_STRING;
  info.compiler = compiler_string();
#ifdef NDEBUG
  info.build_type = "release";
#else
  info.build_type = "debug";
#endif
  // LSTMCORE_HAVE_* come from kernels/CMakeLists.txt, which compiled those kernel units.
  info.isa_compiled = {"baseline"};
#if defined(LSTMCORE_HAVE_AVX2)
  info.isa_compiled.emplace_back("avx2");
#endif
#if defined(LSTMCORE_HAVE_AVX512)
  info.isa_compiled.emplace_back("avx512");
#endif
  info.isa_active = dispatch::isa_name(dispatch::active_isa());
  info.cuda = false;  // no CUDA backend exists yet (DESIGN.md plans one behind -DLSTMCORE_CUDA=ON)
  return info;
}

}  // namespace lstmcore
