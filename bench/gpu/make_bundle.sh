#!/bin/sh
# Prepares, on the build machine, the folder that one call on the GPU machine runs: gennc
# built for release, every network of benchmarks.txt compiled to a self-contained `sim`
# (compile time measured: median of several runs), the device-to-device copy benchmark
# copy_bandwidth, and the scripts that run everything there with bash and python3 alone.
#
#   bench/gpu/make_bundle.sh [BUILD_DIR [BUNDLE_DIR]]
#       defaults: build-bench and gpu-bundle in the repository (both git-ignored)
#   environment: BENCH_ONLY="name ..."   only these benchmarks (for a quick check)
#                BENCH_REPEATS=N          compilations timed per network (default 5)
#                BENCH_ALLOW_NO_PTX=1     accept sims without GPU code (CPU-only checks)
#                BENCH_GENNC_FLAGS="..."  gennc options for every network (default
#                                         --float32, as GeNN's and NEST GPU's benchmarks
#                                         run; e.g. add --gpu-arch=sm_90)
# Then, on the GPU machine, from the repository: gpu-bundle/run_bundle.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-$repo/build-bench}
bundle=${2:-$repo/gpu-bundle}
repeats=${BENCH_REPEATS:-5}

cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
nice ninja -C "$build" -j2 gennc
gennc=$build/bin/gennc

python3 "$here/make_networks.py"
rm -rf "$bundle"
mkdir -p "$bundle"
# shellcheck disable=SC2086
python3 "$here/compile_networks.py" "$gennc" "$repo" "$here/benchmarks.txt" "$bundle" --repeats "$repeats" \
  --gennc-flags="${BENCH_GENNC_FLAGS:---float32}" ${BENCH_ONLY:+--only $BENCH_ONLY}

# Self-contained: only the C library's own shared objects may remain dynamic.
status=0
for sim in "$bundle"/*/sim; do
  extra=$(ldd "$sim" | grep -v -E '^\s*(linux-vdso|/lib64/ld-linux|lib(c|m|dl|pthread|rt)\.so)' || true)
  if [ -n "$extra" ]; then echo "$sim needs more than the C library:"; echo "$extra"; status=1; fi
  if ! grep -a -q '^\.target sm_' "$sim"; then
    if [ "${BENCH_ALLOW_NO_PTX:-0}" = 1 ]; then
      echo "warning: $sim has no GPU code (PTX); it runs on the CPU only"
    else
      echo "$sim has no GPU code (PTX): is libdevice installed, did the NVPTX back end build?"; status=1
    fi
  fi
done
[ $status -eq 0 ] || exit 1

# Debug information is of no use there and is most of a sim's size.
strip --strip-debug "$bundle"/*/sim
# The copy benchmark loads libcuda.so.1 with dlopen, like the sims, and links only the C
# library dynamically (a fully static binary cannot safely dlopen the driver, which
# brings its own libc dependencies).
cc -std=c99 -O2 -Wall -Wextra -o "$bundle/copy_bandwidth" "$here/copy_bandwidth.c" -ldl -static-libgcc
cp "$here/run_bundle.sh" "$here/summarize.py" "$bundle/"

size=$(du -sm "$bundle" | cut -f1)
echo "bundle in $bundle: ${size} MiB"
if [ "$size" -gt 40 ]; then echo "the bundle is over 40 MiB: it must travel with the working tree (64 MiB in all)"; exit 1; fi
