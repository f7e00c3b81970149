#!/bin/sh
# Prepares a folder that runs the GPU tests on a machine with the NVIDIA driver and
# python3 but none of the build's dependencies (no LLVM, ANTLR, fmt, numpy): per case of
# cases.txt its `sim` (with the PTX embedded), its CPU results made here (for a case
# with --same-error, the CPU's error message: that run must fail), and where
# check_connectivity runs the model as a shared library; the statically linked
# check_connectivity, compare_results.py and run_on_gpu_machine.sh; per benchmark of
# benchmarks.txt its `sim`, timed on both back ends there; and per case of nccl_cases.txt
# its `sim`, run there plain and through the distributed GPU path (run_nccl_cases.sh).
#   make_bundle.sh BUILD_DIR OUT_DIR      then, on the GPU machine: OUT_DIR/run_on_gpu_machine.sh
# GPU_TEST_GENNC_FLAGS adds gennc options to every case (--gpu-arch=sm_90 tests the sm_90
# PTX rather than the default sm_80 PTX that the driver compiles for the GPU at hand).
# GPU_TEST_ONLY=nccl bundles the NCCL cases alone (then run OUT_DIR/run_nccl_cases.sh).
set -eu
build=$(cd "$1" && pwd)
out=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
gennc=$build/bin/gennc
rm -rf "$out"
mkdir -p "$out"
cp "$here/compare_results.py" "$here/same_results.py" "$here/run_on_gpu_machine.sh" "$here/run_nccl_cases.sh" "$here/run_case.sh" \
   "$build/tests/gpu/gpu_check_connectivity" "$out/"
: > "$out/cases.txt"
: > "$out/benchmarks.txt"
: > "$out/nccl_cases.txt"
# The distributed GPU path's cases: only the sim; both runs are made there.
grep '^[a-z]' "$here/nccl_cases.txt" | while IFS='|' read -r name network options flags; do
  name=$(echo "$name" | tr -d ' ')
  network=$(echo "$network" | tr -d ' ')
  mkdir -p "$out/$name"
  # shellcheck disable=SC2086
  "$gennc" "$repo/$network" $flags ${GPU_TEST_GENNC_FLAGS:-} -o "$out/$name/sim"
  strip "$out/$name/sim"
  echo "$name|$options" >> "$out/nccl_cases.txt"
done
if [ "${GPU_TEST_ONLY:-}" = nccl ]; then
  echo "bundle in $out ($(du -sh "$out" | cut -f1)), NCCL cases only"
  exit 0
fi
. "$here/run_case.sh"  # run: one run, or two where the case resumes
grep '^[a-z]' "$here/cases.txt" | while IFS='|' read -r name network options steps flags reference gpu_steps resume; do
  name=$(echo "$name" | tr -d ' ')
  network=$(echo "$network" | tr -d ' ')
  steps=$(echo "$steps" | tr -d ' ')
  reference=$(echo "$reference" | tr -d ' ')
  gpu_steps=$(echo "$gpu_steps" | tr -d ' ')
  resume=$(echo "$resume" | tr -d ' ')
  mkdir -p "$out/$name"
  # shellcheck disable=SC2086
  "$gennc" "$repo/$network" $flags ${GPU_TEST_GENNC_FLAGS:-} -o "$out/$name/sim"
  strip "$out/$name/sim"  # debug information is most of its size
  if [ "$(echo "$options" | tr -d ' ')" = "--same-error" ]; then
    # A case that must fail (cases.txt): the CPU's error message, which the GPU's must equal.
    if "$out/$name/sim" --backend cpu --threads 1 --quiet --out "$out/$name/cpu" 2> "$out/$name/cpu.log"; then
      echo "case $name: the CPU run did not fail" >&2
      exit 1
    fi
    grep '^sim: error:' "$out/$name/cpu.log" > "$out/$name/cpu.error"
    rm -rf "$out/$name/cpu" "$out/$name/cpu.log"
  elif [ -n "$reference" ]; then
    # The CPU results of the same network in another storage form (cases.txt).
    "$gennc" "$repo/$reference" -o "$out/$name/reference-sim"
    run "$out/$name/reference-sim" "$out/$name/cpu" --backend cpu --threads 1 --quiet
    rm "$out/$name/reference-sim"
  else
    run "$out/$name/sim" "$out/$name/cpu" --backend cpu --threads 1 --quiet
  fi
  rm -rf "$out/$name/cpu.checkpoint" "$out/$name/cpu.before"
  if [ -n "$steps" ]; then
    # shellcheck disable=SC2086
    "$gennc" "$repo/$network" $flags ${GPU_TEST_GENNC_FLAGS:-} --shared -o "$out/$name/model.so"
    strip --strip-unneeded "$out/$name/model.so"
  fi
  echo "$name|$options|$steps|$gpu_steps|$resume" >> "$out/cases.txt"
done
grep '^[a-z]' "$here/benchmarks.txt" | while IFS='|' read -r name network; do
  name=$(echo "$name" | tr -d ' ')
  network=$(echo "$network" | tr -d ' ')
  mkdir -p "$out/bench-$name"
  "$gennc" "$repo/$network" -o "$out/bench-$name/sim"
  strip "$out/bench-$name/sim"
  echo "$name" >> "$out/benchmarks.txt"
done
echo "bundle in $out ($(du -sh "$out" | cut -f1))"
