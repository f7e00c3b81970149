#!/bin/sh
# One GPU comparison case (cases.txt) for ctest: compiles the network (with FLAGS, gennc
# options separated by spaces), runs its `sim` on the CPU and on the GPU, and compares the
# results folders; with a REFERENCE network the CPU results are that network's instead
# (the same network in another storage form); with STEPS, also compares the arrays of both
# back ends through the C ABI (check_connectivity); GPU_STEPS, where not empty, is
# GENNC_GPU_STEPS for the GPU's runs (how it launches steps); RESUME, where not empty, splits
# both back ends' runs: to RESUME ms with a checkpoint, then on from it, and the steps after
# it are compared. With the option --same-error instead of
# compare_results.py options, both runs must fail with the same error message (`sim:
# error: ...`). Exit 77 (skipped) when the CUDA back end is unavailable (no driver, no
# device).
#   gpu_compare.sh GENNC CHECK_CONNECTIVITY WORKDIR NETWORK STEPS FLAGS REFERENCE GPU_STEPS RESUME [compare_results.py options]
set -u
gennc=$1 check=$2 work=$3 network=$4 steps=$5 flags=$6 reference=$7 gpu_steps=$8 resume=$9
shift 9
[ -n "$gpu_steps" ] && export GENNC_GPU_STEPS="$gpu_steps"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/run_case.sh"
rm -rf "$work" && mkdir -p "$work"
# shellcheck disable=SC2086
"$gennc" "$network" $flags -o "$work/sim" || exit 1
if [ "$*" = "--same-error" ]; then
  "$work/sim" --backend cpu --threads 1 --quiet --out "$work/cpu" 2> "$work/cpu.log" && { echo "the CPU run did not fail"; exit 1; }
  "$work/sim" --backend cuda --quiet --out "$work/gpu" 2> "$work/gpu.log" && { echo "the GPU run did not fail"; exit 1; }
  cat "$work/cpu.log" "$work/gpu.log"
  grep -q "backend 'cuda': \(cannot load\|no CUDA device\|the NVIDIA driver sees no\)" "$work/gpu.log" && exit 77
  [ "$(grep '^sim: error:' "$work/cpu.log")" = "$(grep '^sim: error:' "$work/gpu.log")" ] || { echo "MISMATCH errors differ"; exit 1; }
  exit 0
fi
if [ -n "$reference" ]; then
  "$gennc" "$reference" -o "$work/reference-sim" || exit 1
  run "$work/reference-sim" "$work/cpu" --backend cpu --threads 1 --quiet || exit 1
else
  run "$work/sim" "$work/cpu" --backend cpu --threads 1 --quiet || exit 1
fi
if ! run "$work/sim" "$work/gpu" --backend cuda > "$work/gpu.log" 2>&1; then
  cat "$work/gpu.log"
  grep -q "backend 'cuda': \(cannot load\|no CUDA device\|the NVIDIA driver sees no\)" "$work/gpu.log" && exit 77
  exit 1
fi
cat "$work/gpu.log"
python3 "$here/compare_results.py" "$work/cpu" "$work/gpu" "$@" || exit 1
if [ -n "$steps" ]; then
  # shellcheck disable=SC2086
  "$gennc" "$network" $flags --shared -o "$work/model.so" || exit 1
  "$check" "$work/model.so" "$steps" || exit 1
fi
