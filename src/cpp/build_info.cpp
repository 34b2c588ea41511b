// Reports the compiler, SIMD kernel sets and CUDA switch this library was built with.
#include "lstmcore/build_info.hpp"

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
  info.isa_compiled = {"baseline"};
#ifdef LSTMCORE_WITH_CUDA
  info.cuda = true;
#endif
  return info;
}

}  // namespace lstmcore
