#!/bin/sh
# Prepares a folder that runs the GPU tests on a machine with the NVIDIA driver and
# python3 but none of the build's dependencies (no LLVM, ANTLR, fmt, numpy): per case of
# cases.txt its `sim` (with the PTX embedded), its CPU results made here, and where
# check_connectivity runs the model as a shared library; the statically linked
# check_connectivity, compare_results.py and run_on_gpu_machine.sh; and per benchmark of
# benchmarks.txt its `sim`, timed on both back ends there.
#   make_bundle.sh BUILD_DIR OUT_DIR      then, on the GPU machine: OUT_DIR/run_on_gpu_machine.sh
set -eu
build=$(cd "$1" && pwd)
out=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
gennc=$build/bin/gennc
rm -rf "$out"
mkdir -p "$out"
cp "$here/compare_results.py" "$here/run_on_gpu_machine.sh" "$build/tests/gpu/gpu_check_connectivity" "$out/"
: > "$out/cases.txt"
grep '^[a-z]' "$here/cases.txt" | while IFS='|' read -r name network options steps; do
  name=$(echo "$name" | tr -d ' ')
  network=$(echo "$network" | tr -d ' ')
  steps=$(echo "$steps" | tr -d ' ')
  mkdir -p "$out/$name"
  "$gennc" "$repo/$network" -o "$out/$name/sim"
  strip "$out/$name/sim"  # debug information is most of its size
  "$out/$name/sim" --backend cpu --threads 1 --quiet --out "$out/$name/cpu"
  if [ -n "$steps" ]; then
    "$gennc" "$repo/$network" --shared -o "$out/$name/model.so"
    strip --strip-unneeded "$out/$name/model.so"
  fi
  echo "$name|$options|$steps" >> "$out/cases.txt"
done
: > "$out/benchmarks.txt"
grep '^[a-z]' "$here/benchmarks.txt" | while IFS='|' read -r name network; do
  name=$(echo "$name" | tr -d ' ')
  network=$(echo "$network" | tr -d ' ')
  mkdir -p "$out/bench-$name"
  "$gennc" "$repo/$network" -o "$out/bench-$name/sim"
  strip "$out/bench-$name/sim"
  echo "$name" >> "$out/benchmarks.txt"
done
echo "bundle in $out ($(du -sh "$out" | cut -f1))"
