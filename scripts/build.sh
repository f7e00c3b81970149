#!/usr/bin/env bash
# Configures and builds gennc into build/ (or $GENNC_BUILD_DIR). Assumes install-deps.sh ran.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GENNC_BUILD_DIR:-$root/build}
jobs=${GENNC_JOBS:-$(nproc)}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${GENNC_BUILD_TYPE:-Release} \
        -DPython3_EXECUTABLE="$root/.venv/bin/python"
fi
ninja -C "$build" -j "$jobs"
