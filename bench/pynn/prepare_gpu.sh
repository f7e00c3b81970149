#!/usr/bin/env bash
# Prepares a run of the PyNN benchmarks through pynn_gennc on a GPU machine that has Python
# 3.12 and the CUDA driver but no compiler, no network and none of our packages:
#   gpu-pynn/cache  the compiled networks (pynn_gennc uses cached libraries where no gennc
#                   is found; the scripts' GDSL is the same on every machine)
#   .whl            wheels of PyNN and its dependencies for CPython 3.12
# Both are git-ignored. Then, on the GPU machine, from the repository root:
#   bash bench/pynn/run_gpu.sh        (carry gpu-pynn and .whl)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
python=.venv/bin/python
export GENNC_CACHE_DIR="$root/gpu-pynn/cache" PYNN_GENNC_PTX=1  # with PTX, for the GPU
mkdir -p "$GENNC_CACHE_DIR" .whl
for b in CUBA COBA; do $python bench/pynn/va_benchmark_pynn.py gennc $b > /dev/null; done
# Full scale: builds the network once on the CPU (about a minute and 9 GB here) to compile it.
$python bench/pynn/microcircuit.py --scale 1.0 --duration 0.1 --backend cpu > /dev/null
$python bench/pynn/large_native.py --neurons 1000000 --duration 0.1 > /dev/null
for p in "PyNN==0.13.0" "neo==0.14.6" "quantities==0.16.4" "lazyarray==0.7.0" "numpy==2.3.5" packaging; do
  .venv/bin/pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 -d .whl "$p"
done
du -sh gpu-pynn .whl
