#!/usr/bin/env bash
# The main job on a fresh machine: installs dependencies, builds gennc, compiles the default
# example (the Vogels-Abbott CUBA network) to a simulator and runs it (on the GPU when one is
# present, else on the CPU), writing its recordings to results/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build=${GENNC_BUILD_DIR:-$root/build}
example=${1:-$root/examples/vogels_abbott_cuba.gdsl}
"$build/bin/gennc" "$example" -o "$build/sim"
"$build/sim" --out "$root/results"
