#!/bin/sh
# The called member bodies of a network whose stage has more than 64 members are merged
# where they differ only in constants (merge_called_bodies.cpp): the PTX has at most MOST
# functions (`.func`; before merging, many_members.gdsl had 144, after 6).
#   check_merged_bodies.sh GENNC WORKDIR NETWORK.gdsl MOST
set -u
gennc=$1 work=$2 network=$3 most=$4
mkdir -p "$work"
ptx=$work/$(basename "$network" .gdsl).ptx
"$gennc" "$network" --emit=ptx -o "$ptx" || { echo "FAIL  gennc --emit=ptx $network"; exit 1; }
funcs=$(grep '^\.func' "$ptx" | sed 's/(.*//' | sort -u | wc -l)
echo "$funcs .func in $ptx"
[ "$funcs" -le "$most" ] || { echo "FAIL  more than $most .func"; exit 1; }
grep -q '_merged' "$ptx" || { echo "FAIL  no merged body"; exit 1; }
