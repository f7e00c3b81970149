# Sourced by the ptxas checks: sets `ptxas` to the PTX assembler (PATH, then $CUDA_HOME,
# $CUDA_PATH and /usr/local/cuda, as gennc searches), or exits 77 (skipped) without one.
ptxas=$(command -v ptxas || true)
for dir in "${CUDA_HOME:-}" "${CUDA_PATH:-}" /usr/local/cuda; do
  [ -z "$ptxas" ] && [ -n "$dir" ] && [ -x "$dir/bin/ptxas" ] && ptxas=$dir/bin/ptxas
done
if [ -z "$ptxas" ]; then
  echo "SKIP: no ptxas (CUDA toolkit) on this machine"
  exit 77
fi
