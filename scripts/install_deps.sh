#!/usr/bin/env bash
# Installs what building and testing minpy needs on a fresh Debian machine: a C++ toolchain is
# assumed; OpenBLAS and GoogleTest come from Debian, the Python build/test tools from PyPI, and what
# the demo and examples use (scikit-learn's bundled digits, tqdm progress bars, matplotlib plots).
set -euo pipefail
need=()
[ -f /usr/include/x86_64-linux-gnu/cblas.h ] || [ -f /usr/include/cblas.h ] || [ -f /usr/include/openblas/cblas.h ] || need+=(libopenblas-dev)
[ -f /usr/include/gtest/gtest.h ] || need+=(libgtest-dev)
command -v ninja >/dev/null || need+=(ninja-build)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi
python3 -m pip install -q --disable-pip-version-check "numpy>=2" "nanobind>=2.10" "scikit-build-core>=0.10" \
  cmake ninja pytest hypothesis scikit-learn tqdm matplotlib "$@"
