// Links the installed lstmcore and reads a weights file: proves headers, library and package fit.
// Usage: package_check [file.lcw]
#include <cstdio>
#include <exception>

#include <lstmcore/lstmcore.hpp>  // the umbrella header must compile on its own
#include <lstmcore/weights_file.hpp>

int main(int argc, char** argv) {
  const lstmcore::BuildInfo info = lstmcore::build_info();
  std::printf("lstmcore %s (%s)\n", info.version.c_str(), info.compiler.c_str());
  if (argc > 1) {
    try {
      const lstmcore::WeightsFile file = lstmcore::read_weights_file(argv[1]);
      std::printf("%s: %s, %zu parameters\n", argv[1], file.spec.mode.c_str(), file.params.size());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      return 1;
    }
  }
  return 0;
}
