// A tiny assertion kit for the ctest executables (no test framework: nothing is fetched at build).
#pragma once

#include <cstdio>
#include <exception>
#include <string>

namespace lstmcore_test {

inline int& failures() {
  static int count = 0;
  return count;
}

inline void fail(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what.c_str());
  ++failures();
}

// The process exit status: 0 when every check passed.
inline int finish(const char* test_name) {
  if (failures() == 0) {
    std::printf("%s: all checks passed\n", test_name);
    return 0;
  }
  std::fprintf(stderr, "%s: %d check(s) failed\n", test_name, failures());
  return 1;
}

}  // namespace lstmcore_test

#define LC_CHECK(cond)                                                       \
  do {                                                                       \
    if (!(cond)) ::lstmcore_test::fail(__FILE__, __LINE__, "LC_CHECK(" #cond ")"); \
  } while (0)

#define LC_CHECK_EQ(a, b)                                                              \
  do {                                                                                 \
    if (!((a) == (b))) ::lstmcore_test::fail(__FILE__, __LINE__, #a " == " #b);        \
  } while (0)

// expr must throw an exception of type Exc whose what() contains the substring text.
#define LC_CHECK_THROWS(Exc, expr, text)                                                      \
  do {                                                                                        \
    bool lc_thrown_ = false;                                                                  \
    try {                                                                                     \
      (void)(expr);                                                                           \
    } catch (const Exc& e) {                                                                  \
      lc_thrown_ = true;                                                                      \
      if (std::string(e.what()).find(text) == std::string::npos) {                            \
        ::lstmcore_test::fail(__FILE__, __LINE__,                                             \
                              std::string(#expr ": message lacks '") + (text) + "': " + e.what()); \
      }                                                                                       \
    } catch (const std::exception& e) {                                                       \
      lc_thrown_ = true;                                                                      \
      ::lstmcore_test::fail(__FILE__, __LINE__,                                               \
                            std::string(#expr ": threw another exception: ") + e.what());     \
    }                                                                                         \
    if (!lc_thrown_) ::lstmcore_test::fail(__FILE__, __LINE__, #expr ": did not throw");      \
  } while (0)
