#!/usr/bin/env bash
# The main job: installs minpy and runs the demo (examples/train_digits.py; --quick for two epochs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
python3 -m pip install -q --disable-pip-version-check --no-build-isolation \
  -Cbuild-dir=build/test -Ccmake.define.MINPY_BUILD_TESTS=ON .  # the same build as scripts/test.sh
python3 examples/train_digits.py "$@"
