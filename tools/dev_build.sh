#!/usr/bin/env bash
# Developer build: configures once, rebuilds incrementally (ccache), and links the extension into
# python/minpy so `PYTHONPATH=python pytest ...` runs against the tree. Usage: tools/dev_build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f build/dev/build.ninja ]; then
  cmake -S . -B build/dev -G Ninja -DCMAKE_BUILD_TYPE=Release -DMINPY_BUILD_TESTS=ON "${launcher[@]}" >/dev/null
fi
ninja -C build/dev
so=$(ls build/dev/_core*.so)
ln -sf "../../$so" python/minpy/
