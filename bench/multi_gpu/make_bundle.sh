#!/bin/bash
# Prepares, on the build machine, the folder that runs the multi-GPU benchmarks of issue 15
# on one GPU host that has the NVIDIA driver, NCCL and python3 but no MPI and no network:
# the sims (full-scale microcircuit, multi-area model, the Brunel weak-scaling sweep), this
# machine's Open MPI 4.1.4 made relocatable, and the scripts (run_bundle.sh, summarize.py).
#
#   bench/multi_gpu/make_bundle.sh [BUNDLE_DIR [WORK_DIR]]
#       defaults: multi-gpu-bundle and multi-gpu-work in the repository (git-ignored);
#       WORK_DIR keeps the generated GDSL and the compiled sims, which are reused while
#       newer than their GDSL and gennc (the multi-area compile takes 6-19 minutes)
#   environment: GENNC=path         the compiler (default build/bin/gennc)
#                MGPU_ONLY="a b"    only these networks (potjans_diesmann multi_area
#                                   brunel_1000000 brunel_2000000 brunel_4000000
#                                   brunel_8000000)
# Then: tar -C BUNDLE_DIR/.. -cf - NAME | xz -9 > bundle.tar.xz; on the GPU machine
#   tar -xJf bundle.tar.xz && NAME/run_bundle.sh NAME OUT [BUDGET_S]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bundle=${1:-$repo/multi-gpu-bundle}
work=${2:-$repo/multi-gpu-work}
gennc=${GENNC:-$repo/build/bin/gennc}
only=${MGPU_ONLY:-potjans_diesmann multi_area brunel_1000000 brunel_2000000 brunel_4000000 brunel_8000000}
[ -x "$gennc" ] || { echo "no gennc at $gennc (set GENNC)"; exit 1; }
mkdir -p "$work/gdsl"

# Writes NAME's GDSL into WORK/gdsl, keeping the old file (and its time) when unchanged.
generate() {
  name=$1
  shift
  case $name in
    potjans_diesmann) cp "$repo/examples/potjans_diesmann.gdsl" "$work/gdsl/$name.new" ;;
    multi_area) python3 "$repo/bench/multi_area/make_network.py" "$@" -o "$work/gdsl/$name.new" > /dev/null ;;
    brunel_*)
      n=${name#brunel_}
      python3 "$here/make_weak_scaling.py" "$work/gdsl/tmp" $((n / 1000000)) > /dev/null
      mv "$work/gdsl/tmp/$name.gdsl" "$work/gdsl/$name.new" ;;
  esac
  if cmp -s "$work/gdsl/$name.new" "$work/gdsl/$name.gdsl"; then rm "$work/gdsl/$name.new"; else mv "$work/gdsl/$name.new" "$work/gdsl/$name.gdsl"; fi
}

# compile NAME GENNC_OPTIONS...: WORK/NAME.sim, unless newer than its GDSL and gennc.
compile() {
  name=$1
  shift
  sim=$work/$name.sim
  if [ -f "$sim" ] && [ "$sim" -nt "$work/gdsl/$name.gdsl" ] && [ "$sim" -nt "$gennc" ]; then
    echo "$name: compiled already ($sim)"
    return 0
  fi
  echo "$name: gennc $* (started $(date -u +%H:%M:%S))"
  start=$(date +%s)
  nice "$gennc" "$work/gdsl/$name.gdsl" "$@" -o "$sim.tmp" > "$work/$name.compile.log" 2>&1 || {
    cat "$work/$name.compile.log"
    exit 1
  }
  mv "$sim.tmp" "$sim"
  echo "$name: compiled in $(($(date +%s) - start)) s"
}

for name in $only; do
  case $name in
    potjans_diesmann) generate "$name"; compile "$name" --float32 ;;
    # Recurrent projections procedural in the file, the background stays stored and fused
    # (bench/multi_area/README.md: not --procedural all).
    multi_area) generate "$name" --connector probability --procedural; compile "$name" --float32 ;;
    # Every GPU rank holds the whole network: 8e9 stored synapses would not fit.
    brunel_*) generate "$name"; compile "$name" --float32 --procedural all ;;
    *) echo "unknown network $name"; exit 1 ;;
  esac
done

rm -rf "$bundle"
mkdir -p "$bundle"
for name in $only; do
  mkdir -p "$bundle/$name"
  cp "$work/$name.sim" "$bundle/$name/sim"
  # Debug information is of no use there and is most of a sim's size.
  strip --strip-debug "$bundle/$name/sim"
  if ! grep -a -q '^\.target sm_' "$bundle/$name/sim"; then echo "$name/sim has no GPU code (PTX)"; exit 1; fi
done
if [ -d "$bundle/multi_area" ]; then
  # compare_rates.py reads data.json beside itself.
  cp "$repo/bench/multi_area/compare_rates.py" "$repo/bench/multi_area/data.json" "$bundle/multi_area/"
fi
cp "$here/run_bundle.sh" "$here/summarize.py" "$here/README.md" "$bundle/"
cp "$here/../gpu/summarize.py" "$bundle/gpu_summarize.py"  # its .npy reader and NEST's rates

# --- Open MPI 4.1.4 from this machine's Debian packages, relocated under BUNDLE/mpi ---
# OPAL_PREFIX moves every Open MPI folder but sysconfdir (OPAL_SYSCONFDIR); PMIx's folders
# are absolute in Debian's build, so PMIX_PKGLIBDIR (its plugins) and friends move them.
# The layout below OPAL_PREFIX is Debian's, which OPAL_PREFIX expects.
sys=/usr/lib/x86_64-linux-gnu
mpi=$bundle/mpi
lib=$mpi/lib/x86_64-linux-gnu/openmpi/lib
mkdir -p "$mpi/bin" "$lib/openmpi3" "$mpi/share" "$mpi/etc" "$mpi/pmix/lib/pmix" "$mpi/pmix/share" "$mpi/hwloc"
cp /usr/bin/orterun /usr/bin/orted "$mpi/bin/"
ln -s orterun "$mpi/bin/mpirun"
cp -r /usr/share/openmpi "$mpi/share/"
# Not its pmix-mca-params.conf: it names the system's plugin folder.
cp -r "$sys"/pmix2/share/pmix "$mpi/pmix/share/"
cp "$sys"/pmix2/lib/pmix/*.so "$mpi/pmix/lib/pmix/"
# Components: those for one host (shared memory and self transports, ob1, PMIx, the
# launcher's own). Left out: network transports whose libraries the GPU machine lacks
# (UCX, OFI, verbs, PSM), MPI-IO, one-sided and monitoring, which sim does not use; a
# component that cannot load would print an error at every start.
skip='_(btl_(openib|ofi|tcp|uct)|mtl_|pml_(ucx|cm|monitoring|v)|osc_|spml_|atomic_|scoll_|memheap_|sshmem_|io_|fs_|fbtl_|fcoll_|sharedfp_|vprotocol_|coll_monitoring|pmix_(flux|isolated)|ras_gridengine|plm_slurm|ras_slurm|ess_slurm|schizo_(flux|jsm|slurm))'
for f in "$sys"/openmpi/lib/openmpi3/mca_*.so; do
  if echo "$f" | grep -q -E "$skip"; then continue; fi
  cp "$f" "$lib/openmpi3/"
done
# Shared libraries: everything the binaries, libmpi and the kept components need, but the
# C library's own.
for f in "$mpi"/bin/orterun "$mpi"/bin/orted "$sys"/libmpi.so.40 "$lib"/openmpi3/*.so "$mpi"/pmix/lib/pmix/*.so; do
  ldd "$f" | awk '$2 == "=>" { print $1, $3 }'
done | sort -u | while read -r soname path; do
  case $soname in
    libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|ld-linux*) continue ;;
    "") continue ;;
  esac
  [ "$path" = "not" ] && { echo "unresolved: $soname"; exit 1; }
  cp -L "$path" "$lib/$soname"
done
cp -L "$sys"/libmpi.so.40 "$lib/"
# hwloc looks for plugins here (an empty folder) rather than in the system's.
: > "$mpi/hwloc/.keep"
# One host: shared memory and self only; no binding (a rank's build uses several threads);
# no single-copy (CMA needs ptrace rights that containers often withhold).
cat > "$mpi/etc/openmpi-mca-params.conf" <<'EOF'
pml = ob1
btl = self,vader
btl_vader_single_copy_mechanism = none
plm = isolated
hwloc_base_binding_policy = none
mca_base_component_show_load_errors = 0
EOF
cat > "$mpi/env.sh" <<'EOF'
# Sourced by run_bundle.sh (sh or bash): the bundled Open MPI, wherever the bundle lies.
# MPI_HOME must be set to this folder first.
OPAL_PREFIX=$MPI_HOME
OPAL_SYSCONFDIR=$MPI_HOME/etc
PMIX_PKGLIBDIR=$MPI_HOME/pmix/lib/pmix
PMIX_PKGDATADIR=$MPI_HOME/pmix/share/pmix
PMIX_SYSCONFDIR=$MPI_HOME/pmix/share
HWLOC_PLUGINS_PATH=$MPI_HOME/hwloc
PATH=$MPI_HOME/bin:$PATH
LD_LIBRARY_PATH=$MPI_HOME/lib/x86_64-linux-gnu/openmpi/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
OMPI_ALLOW_RUN_AS_ROOT=1
OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
OMPI_MCA_mca_base_param_files=$MPI_HOME/etc/openmpi-mca-params.conf
export OPAL_PREFIX OPAL_SYSCONFDIR PMIX_PKGLIBDIR PMIX_PKGDATADIR PMIX_SYSCONFDIR HWLOC_PLUGINS_PATH PATH LD_LIBRARY_PATH \
  OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM OMPI_MCA_mca_base_param_files
EOF

size=$(du -sm "$bundle" | cut -f1)
echo "bundle in $bundle: ${size} MiB uncompressed"
