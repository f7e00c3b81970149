#!/bin/bash
# Runs the multi-GPU benchmarks of issue 15 from a bundle that bench/multi_gpu/make_bundle.sh
# prepared, on one host with NVIDIA GPUs, the driver, NCCL (libnccl.so.2 anywhere on disk)
# and python3; MPI comes with the bundle. Runs, most important first, each within its own
# time limit and all within BUDGET_S, skipping what the GPU count does not allow:
#   1. microcircuit (full scale) 10 s on 1 GPU, then on 2 GPUs
#   2. multi-area model on 8 GPUs (else 4)
#   3. Brunel weak scaling, 1e6 neurons per GPU, on 1, 2, 4, 8 GPUs
#   4. profiles (--profile): microcircuit on 2 GPUs and 1 GPU through NCCL, the sweep's points
#   5. multi-area model on 4 GPUs where 8 ran
# then prints the tables (summarize.py; also OUT/summary.md).
#
#   run_bundle.sh BUNDLE OUT [BUDGET_S]         (default budget 1500 s)
#
# Environment: MGPU_PD_MS (10000), MGPU_MAM_MS (1500), MGPU_WEAK_MS (1000): simulated times;
# MGPU_RUNS="pd mam weak profiles" (the default: all; a subset for a shorter call);
# MGPU_KEEP_SPIKES=1 keeps the weak-scaling and multi-area spike files; for checking the
# scripts without GPUs: MGPU_BACKEND=cpu MGPU_GPUS=N (pretend N GPUs).
set -u
if [ $# -lt 2 ]; then
  echo "usage: run_bundle.sh BUNDLE OUT [BUDGET_S]"
  exit 2
fi
bundle=$(cd "$1" && pwd) || exit 2
mkdir -p "$2" || exit 2
out=$(cd "$2" && pwd)
budget=${3:-1500}
backend=${MGPU_BACKEND:-cuda}
pd_ms=${MGPU_PD_MS:-10000}
mam_ms=${MGPU_MAM_MS:-1500}
weak_ms=${MGPU_WEAK_MS:-1000}
# Seconds kept for the summary, and for a stopped run to write its results.
reserve=30
grace=60

left() { echo $((budget - SECONDS - reserve)); }

# The sims stop at SIGTERM and write what they simulated; under mpirun every rank must get
# it (mpirun itself would kill them at once), so the signal goes to mpirun's children.
stop_run() {
  local pid=$1 np=$2
  local ranks=$pid
  [ "$np" -gt 1 ] && ranks=$(pgrep -P "$pid")
  for pid in $ranks; do kill -TERM "$pid" 2> /dev/null; done
}

# run NAME LABEL NP LIMIT_S SIM_ARGS...: one run into OUT/NAME/LABEL (results folder),
# LABEL.log (its output), LABEL.run.json (what ran, its exit code and wall time) and
# LABEL.gpumem.csv (nvidia-smi's memory samples every 500 ms).
run() {
  local name=$1 label=$2 np=$3 limit=$4
  shift 4
  local dir=$out/$name/$label
  if [ ! -x "$bundle/$name/sim" ]; then
    echo "  $name $label: skipped, not in the bundle"
    return 1
  fi
  if [ "$np" -gt "$gpus" ]; then
    echo "  $name $label: skipped, it needs $np GPUs and this machine has $gpus"
    return 1
  fi
  if [ "$np" -gt 1 ] && [ "$nccl" = none ]; then
    echo "  $name $label: skipped, no libnccl.so.2 for runs over several GPUs"
    return 1
  fi
  # A stopped run may take the grace period to end: it must end within the budget too.
  [ $(($(left) - grace)) -lt "$limit" ] && limit=$(($(left) - grace))
  if [ "$limit" -lt 20 ]; then
    echo "  $name $label: skipped, the budget is spent ($(left) s left but for the summary)"
    return 1
  fi
  mkdir -p "$out/$name"
  rm -rf "$dir" "$dir".*
  local args=(--backend "$backend" --out "$dir" "$@")
  [ "$backend" = cpu ] && args+=(--threads 1)
  local command=("$bundle/$name/sim" "${args[@]}")
  # Oversubscribe: a container may show fewer cores than there are GPUs.
  [ "$np" -gt 1 ] && command=(mpirun --oversubscribe -np "$np" "${command[@]}")
  local sampler=""
  if [ "$backend" = cuda ]; then
    nvidia-smi --query-gpu=index,memory.used --format=csv,noheader,nounits -lms 500 > "$dir.gpumem.csv" 2> /dev/null &
    sampler=$!
  fi
  local start=$SECONDS
  "${command[@]}" > "$dir.log" 2>&1 &
  local pid=$!
  # Watchdog: stop the run at its limit, kill it if it has not ended a grace period later.
  (
    sleep "$limit"
    stop_run "$pid" "$np"
    sleep "$grace"
    kill -KILL "$pid" 2> /dev/null
  ) > /dev/null 2>&1 &
  local watchdog=$!
  wait "$pid"
  local rc=$?
  # The watchdog first, then its sleep (which would otherwise linger until the limit).
  local naps
  naps=$(pgrep -P "$watchdog")
  kill "$watchdog" 2> /dev/null
  wait "$watchdog" 2> /dev/null
  for pid in $naps; do kill "$pid" 2> /dev/null; done
  if [ -n "$sampler" ]; then kill "$sampler" 2> /dev/null; wait "$sampler" 2> /dev/null; fi
  local wall=$((SECONDS - start))
  local stopped=false
  [ "$wall" -ge "$limit" ] && stopped=true
  printf '{"name": "%s", "label": "%s", "ranks": %d, "limit_s": %d, "wall_s": %d, "rc": %d, "stopped_at_limit": %s, "args": "%s"}\n' \
    "$name" "$label" "$np" "$limit" "$wall" "$rc" "$stopped" "$*" > "$dir.run.json"
  if [ $rc -eq 0 ]; then
    echo "  $name $label: ok in $wall s"
  elif grep -q "backend 'cuda': \(cannot load the NVIDIA\|no CUDA device\|the NVIDIA driver sees no\)" "$dir.log"; then
    # Every later run would fail alike.
    sed 's/^/    | /' "$dir.log"
    echo "error: the CUDA back end is unavailable on this machine; nothing more to run"
    exit 3
  else
    if [ "$stopped" = true ]; then echo "  $name $label: stopped at its $limit s limit ($rc)"; else echo "  $name $label: failed ($rc)"; fi
    tail -n 15 "$dir.log" | sed 's/^/    | /'
  fi
  return $rc
}

# MGPU_RUNS names the groups to run (default all: pd mam weak profiles).
wanted() {
  [[ " ${MGPU_RUNS:-pd mam weak profiles} " == *" $1 "* ]]
}

# The spike files of the weak-scaling and multi-area runs (up to 0.8 GB a run) once their
# counts (manifest) and rates were read; MGPU_KEEP_SPIKES=1 keeps them.
prune() {
  [ "${MGPU_KEEP_SPIKES:-0}" = 1 ] || rm -f "$1"/*.npy
}

nccl_folder() {
  if ldconfig -p 2> /dev/null | grep -q 'libnccl\.so\.2 '; then return 0; fi
  local folder
  for folder in ${NCCL_LIBRARY_DIR:-} \
    $(python3 -c 'import nvidia.nccl, os; print(os.path.join(list(nvidia.nccl.__path__)[0], "lib"))' 2> /dev/null) \
    /usr/local/lib/python3*/*-packages/nvidia/nccl/lib /usr/lib/python3*/*-packages/nvidia/nccl/lib \
    "$HOME"/.local/lib/python3*/site-packages/nvidia/nccl/lib /opt/*/lib/python3*/site-packages/nvidia/nccl/lib; do
    if [ -f "$folder/libnccl.so.2" ]; then echo "$folder"; return 0; fi
  done
  # Last resort: anywhere on the local disks (bounded, so that a huge tree cannot hang us).
  folder=$(timeout 60 find / -xdev -name 'libnccl.so.2' -print -quit 2> /dev/null)
  [ -n "$folder" ] && { dirname "$folder"; return 0; }
  return 1
}

main() {
  echo "=== machine"
  date -u +"started %Y-%m-%dT%H:%M:%SZ, budget $budget s"
  if [ "$backend" = cuda ]; then
    if ! command -v nvidia-smi > /dev/null; then
      echo "error: no nvidia-smi: this machine has no NVIDIA driver; nothing to run"
      return 3
    fi
    gpus=$(timeout 60 nvidia-smi -L 2> /dev/null | grep -c '^GPU ')
    if [ "$gpus" -eq 0 ]; then
      echo "error: nvidia-smi lists no GPU; nothing to run"
      timeout 60 nvidia-smi 2>&1 | head -n 5
      return 3
    fi
    nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv
    nvidia-smi topo -m 2> /dev/null | head -n 12
  else
    gpus=${MGPU_GPUS:-2}
    echo "backend $backend, pretending $gpus GPUs (a check of the scripts)"
  fi
  echo "cpus $(nproc), memory $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"

  nccl=none
  if [ "$backend" = cuda ] && [ "$gpus" -gt 1 ]; then
    if folder=$(nccl_folder); then
      nccl=${folder:-"the loader's path"}
      if [ -n "$folder" ]; then export LD_LIBRARY_PATH=$folder${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}; fi
      echo "libnccl.so.2: $nccl"
    else
      echo "warning: no libnccl.so.2 found (set NCCL_LIBRARY_DIR): only 1-GPU runs"
    fi
  elif [ "$backend" != cuda ]; then
    nccl=unused
  fi
  # NVLink multicast needs a fabric manager set-up (docs/distributed.md).
  export NCCL_NVLS_ENABLE=${NCCL_NVLS_ENABLE:-0}
  # The driver's compiled PTX, kept under OUT (removed at the end) and large enough for the
  # multi-area model's, so that a second run of a sim skips the compilation.
  export CUDA_CACHE_PATH=$out/.cuda-cache CUDA_CACHE_MAXSIZE=4294967296

  export MPI_HOME=$bundle/mpi
  # shellcheck source=/dev/null
  . "$MPI_HOME/env.sh"
  if [ "$gpus" -gt 1 ]; then
    if ! timeout 60 mpirun -np 2 true > "$out/mpirun-check.log" 2>&1; then
      echo "error: the bundled mpirun cannot start 2 processes (PMIx needs at least the loopback interface up):"
      sed 's/^/    | /' "$out/mpirun-check.log"
      echo "only 1-GPU runs"
      gpus=1
    fi
  fi
  local wide=1
  [ "$gpus" -ge 4 ] && wide=4
  [ "$gpus" -ge 8 ] && wide=8

  if wanted pd; then
    echo "=== microcircuit, full scale, $pd_ms ms"
    run potjans_diesmann gpu1 1 300 --duration "$pd_ms"
    run potjans_diesmann gpu2 2 300 --duration "$pd_ms"
  fi

  if ! wanted mam; then
    :
  elif [ "$wide" -ge 4 ]; then
    echo "=== multi-area model, $mam_ms ms"
    run multi_area "gpu$wide" "$wide" 600 --duration "$mam_ms"
    [ -f "$out/multi_area/gpu$wide/manifest.json" ] &&
      python3 "$bundle/multi_area/compare_rates.py" "$out/multi_area/gpu$wide" > "$out/multi_area/gpu$wide.rates.md" 2>&1
    prune "$out/multi_area/gpu$wide"
  else
    echo "  skipped: it needs 4 or 8 GPUs and this machine has $gpus"
  fi

  local n
  wanted weak && echo "=== Brunel weak scaling, 1e6 neurons per GPU, $weak_ms ms"
  wanted weak && for n in 1 2 4 8; do
    run "brunel_${n}000000" "gpu$n" "$n" 240 --duration "$weak_ms"
    prune "$out/brunel_${n}000000/gpu$n"
  done

  if wanted profiles; then
    echo "=== profiles (steps launched one by one)"
    # One rank through the NCCL path, to set the ranks' step times against.
    local nccl1=(--exchange nccl)
    [ "$backend" = cuda ] || nccl1=()
    run potjans_diesmann gpu2-profile 2 120 --duration 1000 --profile
    run potjans_diesmann gpu1-nccl-profile 1 120 --duration 1000 --profile "${nccl1[@]}"
    for n in 1 2 4 8; do
      [ "$n" -gt "$gpus" ] && break
      if [ "$n" -eq 1 ]; then
        run "brunel_${n}000000" gpu1-nccl-profile 1 120 --duration 200 --profile "${nccl1[@]}"
      else
        run "brunel_${n}000000" "gpu$n-profile" "$n" 120 --duration 200 --profile
      fi
      prune "$out/brunel_${n}000000/gpu$n-profile"
      prune "$out/brunel_${n}000000/gpu1-nccl-profile"
    done
  fi

  if [ "$wide" -eq 8 ] && wanted mam; then
    echo "=== multi-area model on 4 GPUs, $mam_ms ms"
    run multi_area gpu4 4 600 --duration "$mam_ms"
    [ -f "$out/multi_area/gpu4/manifest.json" ] &&
      python3 "$bundle/multi_area/compare_rates.py" "$out/multi_area/gpu4" > "$out/multi_area/gpu4.rates.md" 2>&1
    prune "$out/multi_area/gpu4"
  fi
  return 0
}

{
  main
  rc=$?
  if [ $rc -eq 0 ]; then
    echo "=== summary"
    python3 "$bundle/summarize.py" "$out" | tee "$out/summary.md"
  fi
  rm -rf "$out/.cuda-cache"
  date -u +"finished %Y-%m-%dT%H:%M:%SZ, $SECONDS s"
  exit $rc
} 2>&1 | tee "$out/run.log"
exit "${PIPESTATUS[0]}"
