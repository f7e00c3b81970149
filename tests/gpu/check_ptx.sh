#!/bin/sh
# Assembles the PTX gennc emits for some networks with ptxas for sm_80 and sm_90 (the
# default sm_80 PTX, which the driver JIT-compiles for newer GPUs, and --gpu-arch=sm_90);
# arguments ending in .ptx (the runtime's step kernels and spike exchange, sm_80 PTX, and
# its device initialisation library, sm_60 PTX) are assembled as they are, for sm_80 and sm_90. Exit 77
# (skipped) where there is no ptxas.
#   check_ptx.sh GENNC WORKDIR NETWORK.gdsl|FILE.ptx...
set -u
gennc=$1 work=$2
shift 2
. "$(dirname "$0")/find_ptxas.sh"
mkdir -p "$work"
status=0
assemble() {  # file arch
  if "$ptxas" --gpu-name "$2" "$1" -o "$work/out.cubin"; then
    echo "ok    $2  $(basename "$1")"
  else
    echo "FAIL  $2  $1"
    status=1
  fi
}
for network in "$@"; do
  case $network in
    *.ptx)
      for arch in sm_80 sm_90; do assemble "$network" $arch; done
      continue ;;
  esac
  name=$(basename "$network" .gdsl)
  if ! "$gennc" "$network" --emit=ptx -o "$work/$name.ptx"; then
    echo "FAIL  gennc --emit=ptx $network"
    status=1
    continue
  fi
  grep -q '^\.visible \.entry' "$work/$name.ptx" || { echo "FAIL  no kernel entries in $name.ptx"; status=1; }
  # The step runs in stages (docs/gpu.md): stage 0's entry is always there.
  grep -q '^\.visible \.entry gennc_stage_0(' "$work/$name.ptx" || { echo "FAIL  no stage entries in $name.ptx"; status=1; }
  assemble "$work/$name.ptx" sm_80
  assemble "$work/$name.ptx" sm_90
  "$gennc" "$network" --emit=ptx --gpu-arch=sm_90 -o "$work/$name.sm_90.ptx" || status=1
  assemble "$work/$name.sm_90.ptx" sm_90
done
exit $status
