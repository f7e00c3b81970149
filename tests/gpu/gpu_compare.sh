#!/bin/sh
# One GPU comparison case (cases.txt) for ctest: compiles the network, runs its `sim` on
# the CPU and on the GPU, and compares the results folders; with STEPS, also compares the
# arrays of both back ends through the C ABI (check_connectivity). Exit 77 (skipped) when
# the CUDA back end is unavailable (no driver, no device).
#   gpu_compare.sh GENNC CHECK_CONNECTIVITY WORKDIR NETWORK STEPS [compare_results.py options]
set -u
gennc=$1 check=$2 work=$3 network=$4 steps=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
"$gennc" "$network" -o "$work/sim" || exit 1
"$work/sim" --backend cpu --threads 1 --quiet --out "$work/cpu" || exit 1
if ! "$work/sim" --backend cuda --out "$work/gpu" > "$work/gpu.log" 2>&1; then
  cat "$work/gpu.log"
  grep -q "backend 'cuda': \(cannot load\|no CUDA device\|the NVIDIA driver sees no\)" "$work/gpu.log" && exit 77
  exit 1
fi
cat "$work/gpu.log"
python3 "$here/compare_results.py" "$work/cpu" "$work/gpu" "$@" || exit 1
if [ -n "$steps" ]; then
  "$gennc" "$network" --shared -o "$work/model.so" || exit 1
  "$check" "$work/model.so" "$steps" || exit 1
fi
