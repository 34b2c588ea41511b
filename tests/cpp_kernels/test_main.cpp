// Runs the kernel tests for every ISA this build and machine support; exit status 1 on failure.
#include <cstdio>

#include "dispatch/isa.hpp"
#include "kernel_test.hpp"

namespace kt {
int& failures() {
  static int n = 0;
  return n;
}
}  // namespace kt

int main() {
  using namespace lstmcore::dispatch;
  std::printf("best supported ISA: %s, active: %s\n", isa_name(best_supported_isa()),
              isa_name(active_isa()));
  kt::test_threads();
  for (Isa isa : supported_isas()) {
    set_max_isa(isa);
    std::printf("== ISA %s (active %s)\n", isa_name(isa), isa_name(active_isa()));
    KT_CHECK(active_isa() == isa || active_isa() < isa, "capped ISA not applied");
    kt::test_gemm();
    kt::test_math();
  }
  reset_max_isa();
  std::printf("%s: %d failure(s)\n", kt::failures() ? "FAILED" : "OK", kt::failures());
  return kt::failures() ? 1 : 0;
}
