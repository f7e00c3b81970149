# Sourced by gpu_compare.sh, make_bundle.sh and run_on_gpu_machine.sh (which the bundle
# carries it for): run SIM OUT ARGS... runs a case's `sim` once into OUT, or where $resume
# holds the case's resume time (cases.txt) twice: to that time with a checkpoint
# (OUT.checkpoint, OUT.before), then on from it into OUT, which then holds the steps after
# the checkpoint only.
run() {
  sim=$1 results=$2
  shift 2
  if [ -z "$resume" ]; then "$sim" --out "$results" "$@"; return; fi
  "$sim" --duration "$resume" --checkpoint "$results.checkpoint" --out "$results.before" "$@" &&
    "$sim" --resume "$results.checkpoint" --out "$results" "$@"
}
