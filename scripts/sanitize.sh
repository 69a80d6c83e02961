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
# detect_leaks=0: CPython is not instrumented and keeps interned objects alive at exit.
# new_delete_type_mismatch/alloc_dealloc_mismatch stay on: they matter for the engine.
# --capture=sys: UBSan's reports go to stderr whatever log_path says (GCC links libubsan beside
# libasan, and its log_path setting moves libasan's report file instead: hence the two prefixes in
# $reports). With pytest's default fd capture, a report printed just before the abort died with the
# process in pytest's capture file: the "aborts without a sanitizer report" in test_fuzz.py and
# test_big_sizes.py were signed overflows. Capturing only sys.stdout/sys.stderr lets them reach the log.
LD_PRELOAD="$libasan $libstdcxx" \
ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=0:halt_on_error=1:abort_on_error=1:allocator_may_return_null=1" \
PYTHONPATH="$pkg" PYTHONMALLOC=malloc \
  python3 -m pytest -p no:cacheprovider -q -x --capture=sys tests/python --ignore=tests/python/test_leaks.py "$@"
echo "== sanitizer run clean"
