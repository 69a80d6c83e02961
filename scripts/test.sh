#!/usr/bin/env bash
# The whole test suite: builds minpy from scratch (engine, extension, C++ tests) in one CMake build,
# installs the package, then runs the C++ tests (CTest) and the Python tests (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
python3 -m pip install -q --disable-pip-version-check --no-build-isolation \
  -Cbuild-dir=build/test -Ccmake.define.MINPY_BUILD_TESTS=ON .
ctest --test-dir build/test --output-on-failure -j 2
python3 -m pytest tests/python -q "$@"
