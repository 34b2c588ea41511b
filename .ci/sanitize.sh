#!/usr/bin/env bash
# CI: the C++ tests and a subset of the Python tests under AddressSanitizer + UndefinedBehaviorSanitizer.
#
# One CMake build of the Sanitize build type (top-level CMakeLists.txt) holds the core, its ctest
# programs and the Python module; the module is put next to a copy of python/lstmcore in a
# private directory and tested from a fresh virtual environment, so no installed lstmcore is
# touched or used. Environment: LSTMCORE_SANITIZE_DIR (build root, default build/sanitize),
# LSTMCORE_JOBS (default 2), LSTMCORE_FUZZ_EXAMPLES (hypothesis examples per fuzz test).
set -euo pipefail
cd "$(dirname "$0")/.."

root="${LSTMCORE_SANITIZE_DIR:-build/sanitize}"
jobs="${LSTMCORE_JOBS:-2}"
mkdir -p "$root"
root="$(cd "$root" && pwd)"

venv="$root/venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
py="$venv/bin/python"
"$py" -m pip install -q numpy pytest hypothesis pybind11
command -v cmake >/dev/null || "$py" -m pip install -q cmake

libasan="$(${CXX:-c++} -print-file-name=libasan.so)"
# Preloaded with the ASan runtime: its __cxa_throw interceptor needs the real one at start-up,
# and the python binary does not link libstdc++ itself.
libstdcxx="$(${CXX:-c++} -print-file-name=libstdc++.so)"
if [ ! -e "$libasan" ]; then
  echo "sanitize.sh: the compiler has no AddressSanitizer runtime ($libasan)" >&2
  exit 1
fi

# Modules (the pybind11 extension) link with the CMAKE_MODULE_LINKER_FLAGS_<TYPE> flags, which
# the build type does not set: pass them here so the UBSan runtime is linked in.
cmake -S . -B "$root/build" -DCMAKE_BUILD_TYPE=Sanitize \
  -DLSTMCORE_PYTHON=ON -DLSTMCORE_BUILD_TESTS=ON -DLSTMCORE_INSTALL=OFF \
  -DCMAKE_MODULE_LINKER_FLAGS_SANITIZE="-fsanitize=address,undefined" \
  -DPython_EXECUTABLE="$py" -Dpybind11_DIR="$("$py" -m pybind11 --cmakedir)"
cmake --build "$root/build" -j "$jobs"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
(cd "$root/build" && ctest --output-on-failure --timeout 600 -j "$jobs")

# The Python package from this checkout with the sanitized module.
site="$root/site"
rm -rf "$site"
mkdir -p "$site"
cp -r python/lstmcore "$site/lstmcore"
find "$root/build" -name '_core*.so' -exec cp {} "$site/lstmcore/" \; -quit
ls "$site"/lstmcore/_core*.so >/dev/null

# CPython itself is not built with ASan: preload the runtime, and leave leak checking off (the
# interpreter keeps memory until exit on purpose).
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1"
export LSTMCORE_FUZZ_EXAMPLES="${LSTMCORE_FUZZ_EXAMPLES:-40}"
LD_PRELOAD="$libasan $libstdcxx" PYTHONPATH="$site" "$py" -m pytest -q -p no:cacheprovider \
  tests/test_bad_input.py tests/test_concurrency.py tests/test_memory.py \
  tests/test_fuzz_bindings.py tests/test_core_properties.py tests/test_inspect.py \
  tests/test_core_vs_reference.py -m "not slow"
