#!/usr/bin/env bash
# The PyNN benchmarks through pynn_gennc on a GPU machine (see prepare_gpu.sh): the
# Vogels-Abbott script on the CUDA back end and on 16 CPU threads of the same host, the
# full-scale microcircuit written in PyNN on the GPU (10 s) and on the CPU (1 s, for the
# rates), and the 1e6-neuron NativeRNG network's build. One JSON line per run, to stdout and
# to $OUT/pynn_gpu.jsonl when $OUT is set.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl || exit 1
# PYNN_GENNC_PTX: the options prepare_gpu.sh compiled with, so the cached libraries match.
export PYTHONPATH=/tmp/site:$root/pynn-export PYTHONUNBUFFERED=1 GENNC_CACHE_DIR=$root/gpu-pynn/cache PYNN_GENNC_PTX=1
log=${OUT:-/tmp}/pynn_gpu.jsonl
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee ${OUT:-/tmp}/card.txt
run() { echo "== $*" >&2; timeout 300 python3 "$@" | tail -1 | tee -a "$log"; }
for b in CUBA COBA; do
  run bench/pynn/va_benchmark_pynn.py gennc $b --backend cuda
  run bench/pynn/va_benchmark_pynn.py gennc $b --backend cuda
  run bench/pynn/va_benchmark_pynn.py gennc $b --backend cpu --threads 16
done
run bench/pynn/microcircuit.py --scale 1.0 --duration 10000 --backend cuda
run bench/pynn/microcircuit.py --scale 1.0 --duration 1000 --backend cpu --threads 16
run bench/pynn/large_native.py --neurons 1000000 --duration 1000 --backend cuda
