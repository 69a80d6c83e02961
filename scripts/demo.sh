#!/usr/bin/env bash
# The main job: installs minpy and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
python3 -m pip install -q --disable-pip-version-check --no-build-isolation -Cbuild-dir=build/demo .
python3 examples/quickstart.py "$@"
