// A minimal check harness shared by the kernel test files.
#pragma once

#include <cstdio>
#include <string>

namespace kt {

int& failures();

#define KT_CHECK(cond, ...)                                          \
  do {                                                               \
    if (!(cond)) {                                                   \
      ++::kt::failures();                                            \
      std::printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);    \
      std::printf(__VA_ARGS__);                                      \
      std::printf("\n");                                             \
    }                                                                \
  } while (0)

void test_gemm();
void test_math();
void test_threads();

}  // namespace kt
