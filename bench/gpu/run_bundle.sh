#!/bin/bash
# Runs gennc's GPU benchmarks from a bundle that bench/gpu/make_bundle.sh prepared, on the
# GPU machine, with bash, coreutils and python3 (standard library) alone: prints the card,
# measures the device-to-device copy bandwidth, runs every benchmark of plan.json on the
# CUDA back end (and the CPU back end where the plan says so), profiles the step kernels
# of two networks with Nsight Compute when ncu is there, and prints one table
# (summarize.py).
#
#   gpu-bundle/run_bundle.sh [WORK_DIR]        (default /tmp/gennc-gpu-bench)
#
# WORK_DIR gets every run's results folder and log. The summary (bench.log, table.md,
# summary.json, the profiles as CSV) goes to $OUT when it is set, else to WORK_DIR.
# Environment, for checking the scripts on a machine without a GPU:
#   BENCH_BACKEND=cpu      the "GPU" runs use this back end (default cuda)
#   BENCH_DURATION_MS=100  every run simulates this long instead of the plan's time
#   BENCH_ONLY="a b"       only these benchmarks
#   BENCH_CPU_THREADS=N    threads of the CPU runs (default 16)
#   BENCH_BUDGET_S=S       wall-clock budget of the whole script (default 480): a step that
#                          needs more than what is left is skipped and reported so
#   BENCH_PROFILE=0        no Nsight Compute profiles
set -u
bundle=$(cd "$(dirname "$0")" && pwd)
work=${1:-/tmp/gennc-gpu-bench}
out=${OUT:-$work}
backend=${BENCH_BACKEND:-cuda}
cpu_threads=${BENCH_CPU_THREADS:-16}
budget=${BENCH_BUDGET_S:-480}
mkdir -p "$work" "$out"

left() { echo $((budget - SECONDS)); }

machine() {
  echo "=== machine"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem,power.limit \
    --format=csv 2>&1 || echo "(no nvidia-smi)"
  nvidia-smi 2>/dev/null | head -n 12
  grep -m1 'model name' /proc/cpuinfo
  echo "cpus $(nproc), memory $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
  date -u +"started %Y-%m-%dT%H:%M:%SZ"

  echo "=== device-to-device copy"
  "$bundle/copy_bandwidth" 1024 20 | tee "$work/copy_bandwidth.txt"
}

# run NAME KIND REP BACKEND THREADS DURATION LIMIT: one run of a benchmark's sim into
# WORK/NAME/KIND-REP, its output in WORK/NAME/KIND-REP.log.
run() {
  local name=$1 kind=$2 rep=$3 with=$4 threads=$5 duration=$6 limit=$7
  # Never past the budget: the summary must still be printed.
  [ "$(left)" -lt "$limit" ] && limit=$(left)
  [ "$limit" -lt 1 ] && { echo "  $kind $rep: skipped, the budget is spent"; return 1; }
  local dir=$work/$name/$kind-$rep
  local args=(--backend "$with" --duration "$duration" --out "$dir" --quiet)
  [ "$threads" -gt 0 ] && args+=(--threads "$threads")
  rm -rf "$dir"
  local start=$SECONDS
  timeout --kill-after=10 "$limit" "$bundle/$name/sim" "${args[@]}" > "$dir.log" 2>&1
  local rc=$?
  if [ $rc -eq 0 ]; then
    echo "  $kind $rep: ok in $((SECONDS - start)) s"
  else
    [ $rc -eq 124 ] && echo "  $kind $rep: stopped after its ${limit} s limit" || echo "  $kind $rep: failed ($rc)"
    tail -n 20 "$dir.log" | sed 's/^/    | /'
  fi
  return $rc
}

benchmarks() {
  python3 "$bundle/summarize.py" plan "$bundle" > "$work/plan.txt" || return 1
  while IFS='|' read -r name duration gpu_runs cpu_runs limit least; do
    if [ -n "${BENCH_ONLY:-}" ] && ! [[ " $BENCH_ONLY " == *" $name "* ]]; then continue; fi
    duration=${BENCH_DURATION_MS:-$duration}
    echo "=== $name ($duration ms)"
    if [ "$(left)" -lt "$least" ]; then
      echo "  skipped: $(left) s left of the budget, it needs $least s"
      continue
    fi
    mkdir -p "$work/$name"
    # A failed or stopped run is not repeated: the next would fail or hang alike.
    for ((r = 1; r <= gpu_runs; r++)); do run "$name" gpu "$r" "$backend" 0 "$duration" "$limit" || break; done
    for ((r = 1; r <= cpu_runs; r++)); do run "$name" cpu "$r" cpu "$cpu_threads" "$duration" "$limit" || break; done
  done < "$work/plan.txt"
}

# Nsight Compute: the duration and DRAM traffic of the step's launches (the stage entries
# and the finish kernel: kernel nodes of the CUDA graphs one by one, caches and clocks left
# as they are) in a window of steps after the start. WINDOW = launches to skip, launches
# to profile, counting only those kernels.
ncu=$(command -v ncu || ls /usr/local/cuda/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -n 1)
profile() {
  local name=$1 duration=$2 skip=$3 count=$4 least=$5
  [ -x "$bundle/$name/sim" ] || return 0
  if [ -n "${BENCH_ONLY:-}" ] && ! [[ " $BENCH_ONLY " == *" $name "* ]]; then return 0; fi
  echo "=== profile $name ($duration ms, launches $skip to $((skip + count)))"
  if [ "$(left)" -lt "$least" ]; then
    echo "  skipped: $(left) s left of the budget, it needs $least s"
    return 0
  fi
  local dir=$work/$name/profile
  mkdir -p "$work/$name"
  rm -rf "$dir" "$dir.ncu-rep"
  local start=$SECONDS
  timeout --kill-after=10 $(($(left) - 5)) "$ncu" --graph-profiling node --cache-control none \
    --clock-control none --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum \
    --kernel-name regex:'gennc_stage_|gennc_finish_step' \
    --launch-skip "$skip" --launch-count "$count" -f -o "$dir" \
    "$bundle/$name/sim" --backend "$backend" --duration "$duration" --out "$dir" --quiet > "$dir.log" 2>&1
  local rc=$?
  if [ $rc -ne 0 ] || [ ! -f "$dir.ncu-rep" ]; then
    echo "  ncu failed ($rc)"
    tail -n 20 "$dir.log" | sed 's/^/    | /'
    return 0
  fi
  # Base units (bytes, ns) where this ncu knows the option; summarize.py reads either.
  if ! "$ncu" -i "$dir.ncu-rep" --csv --page raw --print-units base > "$out/profile-$name.csv" 2> "$dir.import.log" &&
    ! "$ncu" -i "$dir.ncu-rep" --csv --page raw > "$out/profile-$name.csv" 2>> "$dir.import.log"; then
    echo "  reading the report failed"
    tail -n 5 "$dir.import.log" | sed 's/^/    | /'
    rm -f "$out/profile-$name.csv"
    return 0
  fi
  echo "  ok in $((SECONDS - start)) s"
}

profiles() {
  if [ "${BENCH_PROFILE:-1}" != 1 ]; then
    echo "=== profiles: not asked for"
  elif [ -z "$ncu" ]; then
    echo "=== profiles: no ncu on this machine"
  else
    # A launch per stage and the finish per step (four for the Brunel network, three for
    # the microcircuit): the windows start after about 200 steps and cover 38 and 50.
    profile brunel_100000 100 750 150 60
    profile potjans_diesmann 100 750 150 120
  fi
}

{
  machine
  benchmarks
  profiles
  echo "=== summary"
  python3 "$bundle/summarize.py" table "$bundle" "$work" "$out"
  date -u +"finished %Y-%m-%dT%H:%M:%SZ, $SECONDS s"
} 2>&1 | tee "$out/bench.log"
