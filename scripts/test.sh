#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs dependencies, builds, runs every test
# through ctest. GPU-labelled tests skip themselves where no GPU exists. Tests labelled
# `slow` (the full-scale microcircuit) are left out; run them with `ctest -L slow`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build=${GENNC_BUILD_DIR:-$root/build}
ctest --test-dir "$build" --output-on-failure -j "${GENNC_JOBS:-$(nproc)}" -LE slow "$@"
