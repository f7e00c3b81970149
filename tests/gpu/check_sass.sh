#!/bin/sh
# gennc --gpu-sass (docs/gpu.md, "Machine code"): a network built with it embeds a cubin per
# architecture that the driver takes (check_cubins); without it none; an architecture
# that is not one, or is older than the PTX's target (--gpu-arch), is refused before
# anything is compiled (exit 2); one that ptxas does not know fails with ptxas's message
# and writes nothing (exit 1). Exit 77 (skipped) where there is no ptxas.
#   check_sass.sh GENNC CHECK_CUBINS WORKDIR NETWORK.gdsl
set -u
gennc=$1 check=$2 work=$3 network=$4
. "$(dirname "$0")/find_ptxas.sh"
rm -rf "$work" && mkdir -p "$work"
status=0
fail() { echo "FAIL  $*"; status=1; }

"$gennc" "$network" --gpu-sass sm_90 --shared -o "$work/sm_90.so" || fail "gennc --gpu-sass sm_90"
"$check" "$work/sm_90.so" sm_90 || fail "the cubins of --gpu-sass sm_90"
# The option before the input file: its one value is the list, the file stays the input.
"$gennc" --gpu-sass sm_80,sm_90 "$network" --shared -o "$work/both.so" || fail "gennc --gpu-sass sm_80,sm_90"
"$check" "$work/both.so" sm_80 sm_90 || fail "the cubins of --gpu-sass sm_80,sm_90"
# sm_80 PTX assembled for a newer architecture; and PTX for sm_90 itself.
"$gennc" "$network" --gpu-arch=sm_90 --gpu-sass sm_90 --shared -o "$work/ptx90.so" || fail "gennc --gpu-arch=sm_90 --gpu-sass sm_90"
"$check" "$work/ptx90.so" sm_90 || fail "the cubins of --gpu-arch=sm_90 --gpu-sass sm_90"
"$gennc" "$network" --shared -o "$work/plain.so" || fail "gennc without --gpu-sass"
"$check" "$work/plain.so" || fail "a model built without --gpu-sass holds cubins"

# refused ARGS... EXPECTED-MESSAGE: gennc exits 2 with the message, having written nothing.
refused() {
  message=$1
  shift
  "$gennc" "$network" "$@" -o "$work/refused" 2> "$work/refused.log"
  code=$?
  cat "$work/refused.log"
  [ $code -eq 2 ] || fail "gennc $* exited $code, not 2"
  grep -qF -- "$message" "$work/refused.log" || fail "gennc $*: no '$message'"
  [ ! -e "$work/refused" ] || fail "gennc $* wrote its output"
  rm -f "$work/refused"
}
refused "--gpu-sass: sm_75 is older than the PTX's target, sm_80 (--gpu-arch)" --gpu-sass sm_90,sm_75
refused "--gpu-sass: sm_80 is older than the PTX's target, sm_90 (--gpu-arch)" --gpu-arch=sm_90 --gpu-sass sm_80
refused "--gpu-sass: '90' is not a GPU architecture" --gpu-sass 90
refused "--gpu-sass: 'sm_9a' is not a GPU architecture" --gpu-sass sm_9a

# An architecture of the right form that ptxas does not know: its message, and no output.
"$gennc" "$network" --gpu-sass sm_90,sm_99 -o "$work/unknown" 2> "$work/unknown.log"
code=$?
cat "$work/unknown.log"
[ $code -eq 1 ] || fail "gennc --gpu-sass sm_99 exited $code, not 1"
grep -qF "error: ptxas failed to assemble the PTX for sm_99 (--gpu-sass):" "$work/unknown.log" || fail "no ptxas failure named"
sed -n '/ptxas failed/{n;p;}' "$work/unknown.log" | grep -q "sm_99" || fail "ptxas's own message is missing"
[ ! -e "$work/unknown" ] || fail "gennc --gpu-sass sm_99 wrote its output"
exit $status
