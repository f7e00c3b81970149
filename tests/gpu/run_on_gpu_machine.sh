#!/bin/sh
# Runs the GPU tests from a bundle that make_bundle.sh prepared on the build machine: each
# case's `sim` on the CUDA back end, compared with the CPU results made at build time
# (compare_results.py, python3 standard library only) and, where listed, the arrays of
# both back ends compared through the C ABI (gpu_check_connectivity), or for a case that
# must fail (cpu.error) the GPU's error message against the CPU's; then each benchmark
# on both back ends with its timings; then the NCCL cases (run_nccl_cases.sh: the
# distributed GPU path run by one process against the plain CUDA run). Exit 0 when every
# case passes, 77 when the CUDA back end is unavailable, 1 otherwise.
#   run_on_gpu_machine.sh [BUNDLE_DIR [OUT_DIR]]
set -u
bundle=$(cd "${1:-$(dirname "$0")}" && pwd)
out=${2:-gpu-results}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "(no nvidia-smi)"
failed=0 skipped=0 passed=0
. "$bundle/run_case.sh"  # run: one run, or two where the case resumes
while IFS='|' read -r name options steps gpu_steps resume; do
  echo "=== $name"
  rm -rf "$out/$name" && mkdir -p "$out/$name"
  # How the GPU launches steps, where the case says (cases.txt); else the default.
  if [ -n "$gpu_steps" ]; then export GENNC_GPU_STEPS="$gpu_steps"; else unset GENNC_GPU_STEPS; fi
  if [ -f "$bundle/$name/cpu.error" ]; then
    # A case that must fail with the CPU's error message (make_bundle.sh).
    "$bundle/$name/sim" --backend cuda --quiet --out "$out/$name/gpu" > "$out/$name/gpu.log" 2>&1
    ran=$?
    cat "$out/$name/gpu.log"
    if grep -q "backend 'cuda': \(cannot load\|no CUDA device\|the NVIDIA driver sees no\)" "$out/$name/gpu.log"; then
      skipped=$((skipped + 1)); echo "RESULT $name SKIP"
    elif [ $ran -ne 0 ] && [ "$(grep '^sim: error:' "$out/$name/gpu.log")" = "$(cat "$bundle/$name/cpu.error")" ]; then
      passed=$((passed + 1)); echo "RESULT $name PASS"
    else
      echo "expected: $(cat "$bundle/$name/cpu.error")"
      failed=$((failed + 1)); echo "RESULT $name FAIL (error)"
    fi
    continue
  fi
  if ! run "$bundle/$name/sim" "$out/$name/gpu" --backend cuda > "$out/$name/gpu.log" 2>&1; then
    cat "$out/$name/gpu.log"
    if grep -q "backend 'cuda': \(cannot load\|no CUDA device\|the NVIDIA driver sees no\)" "$out/$name/gpu.log"; then
      skipped=$((skipped + 1)); echo "RESULT $name SKIP"
    else
      failed=$((failed + 1)); echo "RESULT $name FAIL (sim)"
    fi
    continue
  fi
  cat "$out/$name/gpu.log"
  # shellcheck disable=SC2086
  python3 "$bundle/compare_results.py" "$bundle/$name/cpu" "$out/$name/gpu" $options
  ok=$?
  if [ $ok -eq 0 ] && [ -n "$steps" ]; then
    "$bundle/gpu_check_connectivity" "$bundle/$name/model.so" "$steps"
    ok=$?
  fi
  if [ $ok -eq 0 ]; then passed=$((passed + 1)); echo "RESULT $name PASS"; else failed=$((failed + 1)); echo "RESULT $name FAIL"; fi
done < "$bundle/cases.txt"
unset GENNC_GPU_STEPS
while read -r name; do
  echo "=== benchmark $name"
  for backend in cpu cuda; do
    "$bundle/bench-$name/sim" --backend "$backend" --out "$out/bench-$name-$backend" 2>&1 | grep -v '^\['
  done
  # Where a step's time goes: each stage launch and runtime kernel, timed with events.
  "$bundle/bench-$name/sim" --backend cuda --profile --duration 100 --out "$out/bench-$name-profile" 2>&1 |
    grep -v '^\['
done < "$bundle/benchmarks.txt"
sh "$bundle/run_nccl_cases.sh" "$bundle" "$out"
case $? in
  0) passed=$((passed + 1)) ;;
  77) skipped=$((skipped + 1)) ;;
  *) failed=$((failed + 1)) ;;
esac
echo "passed $passed, failed $failed, skipped $skipped (the NCCL cases counted as one)"
[ $failed -ne 0 ] && exit 1
[ $passed -eq 0 ] && [ $skipped -ne 0 ] && exit 77
exit 0
