#!/usr/bin/env bash
# Sanitizer run: builds the engine, the extension and the C++ tests with ASan+UBSan into build/asan
# (CMake directly), runs the C++ tests with LeakSanitizer, then the Python tests against the
# sanitized _core. Python itself is not instrumented, so libasan is preloaded into it and leak
# checking is off there (CPython's own allocations would be reported). Any UBSan report is fatal.
# Usage: scripts/sanitize.sh [pytest args...]   (default: the whole tests/python suite)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# -O1 keeps the build and the instrumented run reasonably fast while ASan still sees every access.
# Native SIMD as in the normal build: the sanitizers check the code paths users run (the portable,
# non-native paths of vector_math.h and float16 differ, e.g. in which FP flags a float16 loop raises).
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DMINPY_SANITIZE=ON -DMINPY_BUILD_TESTS=ON \
  "${launcher[@]}" >/dev/null
ninja -C build/asan -j 2

# Fail on the first report of any kind; keep symbolized stacks.
# Reports also go to files: pytest captures stderr, and an abort would lose the report with it.
reports="$root/build/asan/reports"
rm -rf "$reports" && mkdir -p "$reports"
show_reports() { rc=$?; if [ $rc -ne 0 ]; then cat "$reports"/* 2>/dev/null || true; fi; rm -rf "${pkg:-}"; exit $rc; }
trap show_reports EXIT
ubsan="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
export UBSAN_OPTIONS="$ubsan"

echo "== C++ tests (ASan + LSan + UBSan)"
ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:halt_on_error=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1" \
  build/asan/minpy_cpp_tests --gtest_brief=1

echo "== Python tests (ASan + UBSan, preloaded into an uninstrumented Python)"
# A private package tree: the pure-Python sources plus the sanitized _core, so neither the
# installed minpy nor the dev build is imported.
pkg=$(mktemp -d)
cp -r python/minpy "$pkg/minpy"
rm -f "$pkg"/minpy/_core*.so
ln -s "$root"/build/asan/_core*.so "$pkg/minpy/"
libasan=$(g++ -print-file-name=libasan.so)
libstdcxx=$(g++ -print-file-name=libstdc++.so)
# test_leaks.py is left out: ASan's quarantine holds freed memory, so RSS is not flat by design.
# test_big_sizes.py too: its 3 GB arrays plus ASan's shadow memory and quarantine, after the rest of
# the suite, aborted the process in one CI run (no sanitizer report; it passes on its own under ASan).
# test_errstate.py too: which IEEE flags a loop raises depends on the optimiser (the ufunc code is
# built with -fno-trapping-math so it vectorises, and -O1 speculates differently from -O3: float16
# floor_divide raised a spurious "invalid" here); the normal suite checks NumPy's flags exactly.
# test_fuzz.py too: one of its huge-size calls aborted under ASan's allocation limit with no
# sanitizer report (like test_big_sizes; under investigation, see the issue notes).
# detect_leaks=0: CPython is not instrumented and keeps interned objects alive at exit.
# new_delete_type_mismatch/alloc_dealloc_mismatch stay on: they matter for the engine.
LD_PRELOAD="$libasan $libstdcxx" \
ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=0:halt_on_error=1:abort_on_error=1:allocator_may_return_null=1" \
PYTHONPATH="$pkg" PYTHONMALLOC=malloc \
  python3 -m pytest -p no:cacheprovider -q -x tests/python --ignore=tests/python/test_leaks.py \
    --ignore=tests/python/test_big_sizes.py --ignore=tests/python/test_errstate.py \
    --ignore=tests/python/test_fuzz.py "$@"
echo "== sanitizer run clean"
