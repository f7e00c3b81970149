#!/bin/sh
# Runs the NCCL cases of a GPU test bundle (nccl_cases.txt, prepared by make_bundle.sh):
# each network's `sim` on the CUDA back end twice (plain) and once forced through the
# distributed GPU path (--exchange nccl: one rank, a one-rank NCCL communicator), then
# compares the NCCL run with the first plain one: bitwise (same_results.py), or else within
# the case's tolerances (compare_results.py), saying whether the two plain runs were
# bitwise equal. Exit 0 when every case passes, 77 when the CUDA back end or NCCL is
# unavailable, 1 otherwise.
#   run_nccl_cases.sh [BUNDLE_DIR [OUT_DIR]]
# libnccl.so.2 is looked for on the loader's path, then in NCCL_LIBRARY_DIR, then in the
# nvidia-nccl-cu12 wheel of the machine's python3 (nvidia/nccl/lib).
set -u
bundle=$(cd "${1:-$(dirname "$0")}" && pwd)
out=${2:-gpu-results}
mkdir -p "$out"

nccl_folder() {
  if ldconfig -p 2>/dev/null | grep -q 'libnccl\.so\.2 '; then return 0; fi
  for folder in ${NCCL_LIBRARY_DIR:-} \
      $(python3 -c 'import nvidia.nccl, os; print(os.path.join(list(nvidia.nccl.__path__)[0], "lib"))' 2>/dev/null) \
      /usr/local/lib/python3*/*-packages/nvidia/nccl/lib /usr/lib/python3*/*-packages/nvidia/nccl/lib \
      "$HOME"/.local/lib/python3*/site-packages/nvidia/nccl/lib /opt/*/lib/python3*/site-packages/nvidia/nccl/lib; do
    if [ -f "$folder/libnccl.so.2" ]; then echo "$folder"; return 0; fi
  done
  return 1
}
if ! folder=$(nccl_folder); then
  echo "no libnccl.so.2 on the loader's path, in NCCL_LIBRARY_DIR or in python3's nvidia-nccl-cu12 wheel"
  echo "NCCL cases skipped"
  exit 77
fi
if [ -n "$folder" ]; then
  echo "libnccl.so.2 from $folder"
  LD_LIBRARY_PATH=$folder${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export LD_LIBRARY_PATH
fi

gpu_missing="backend 'cuda': \(cannot load the NVIDIA\|no CUDA device\|the NVIDIA driver sees no\)"
failed=0 skipped=0 passed=0
while IFS='|' read -r name options; do
  echo "=== $name"
  here=$out/$name
  rm -rf "$here" && mkdir -p "$here"
  ran=0
  for run in plain plain2 nccl; do
    exchange=""
    [ "$run" = nccl ] && exchange="--exchange nccl"
    # shellcheck disable=SC2086
    if ! "$bundle/$name/sim" --backend cuda $exchange --quiet --out "$here/$run" > "$here/$run.log" 2>&1; then
      cat "$here/$run.log"
      ran=1
      break
    fi
  done
  if [ $ran -ne 0 ]; then
    if grep -q "$gpu_missing" "$here"/*.log; then
      skipped=$((skipped + 1)); echo "RESULT $name SKIP"
    else
      failed=$((failed + 1)); echo "RESULT $name FAIL (sim)"
    fi
    continue
  fi
  # The NCCL run must have gone through the rank engine.
  if ! grep -q '"backend": "cuda (.*1 rank over NCCL' "$here/nccl/manifest.json"; then
    grep '"backend"' "$here/nccl/manifest.json"
    failed=$((failed + 1)); echo "RESULT $name FAIL (not the NCCL path)"
    continue
  fi
  if python3 "$bundle/same_results.py" "$here/plain" "$here/nccl"; then
    passed=$((passed + 1)); echo "RESULT $name PASS (bitwise)"
    continue
  fi
  printf "two plain CUDA runs: "
  python3 "$bundle/same_results.py" "$here/plain" "$here/plain2"
  # shellcheck disable=SC2086
  if python3 "$bundle/compare_results.py" "$here/plain" "$here/nccl" $options; then
    passed=$((passed + 1)); echo "RESULT $name PASS (within tolerances)"
  else
    failed=$((failed + 1)); echo "RESULT $name FAIL"
  fi
done < "$bundle/nccl_cases.txt"
echo "NCCL cases: passed $passed, failed $failed, skipped $skipped"
[ $failed -ne 0 ] && exit 1
[ $passed -eq 0 ] && [ $skipped -ne 0 ] && exit 77
exit 0
