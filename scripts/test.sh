#!/usr/bin/env bash
# The whole test suite: builds minpy from scratch (engine, extension, C++ tests) in one CMake build,
# installs the package, then runs the C++ tests (CTest) and the Python tests (pytest), then the
# sanitizer run (scripts/sanitize.sh). Arguments go to the first pytest run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
python3 -m pip install -q --disable-pip-version-check --no-build-isolation \
  -Cbuild-dir=build/test -Ccmake.define.MINPY_BUILD_TESTS=ON .
ctest --test-dir build/test --output-on-failure -j 2
python3 -m pytest tests/python -q "$@"
# The same C++ and Python suites again against an ASan+UBSan build (build/asan), C++ tests with
# LeakSanitizer: about 10-20 minutes on 2 cores, most of it the instrumented build.
bash scripts/sanitize.sh
