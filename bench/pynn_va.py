"""The Vogels-Abbott benchmark as one PyNN script on pynn_gennc, pyNN.nest and pyNN.brian2.

Runs bench/pynn/va_benchmark_pynn.py once per simulator and network, each in its own
process, one after the other on this machine, and prints a Markdown table: the whole
script's wall time (process start to exit), PyNN's import, the network build (for
pynn_gennc the Python side plus writing, compiling and creating the network, also shown
apart), the simulation, writing the recordings, the mean rates, and each simulator's
script time against pynn_gennc's.

    .venv/bin/python bench/pynn_va.py [--benchmarks CUBA,COBA] [--simulators gennc,nest,brian2]
                                      [--threads 1] [--spike-precision on_grid] [--cache DIR]

All three simulate on the time grid unless --spike-precision off_grid is given (then
pyNN.nest and pynn_gennc run their precise models, both simulators' default, and
pyNN.brian2, which has no such mode, stays on the grid).

pynn_gennc's compile cache is emptied before its run (a fresh script compiles), unless
`--warm` is given. Results go to bench/results/pynn_va.md by hand, with the machine named.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

here = Path(__file__).resolve().parent


def run(simulator, benchmark, threads, spike_precision, env):
    start = time.perf_counter()
    out = subprocess.run([sys.executable, str(here / "pynn" / "va_benchmark_pynn.py"), simulator,
                          benchmark, "--threads", str(threads), "--spike-precision", spike_precision],
                         capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit("%s %s failed:\n%s" % (simulator, benchmark, out.stderr[-3000:]))
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = wall
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--benchmarks", default="CUBA,COBA")
    parser.add_argument("--simulators", default="gennc,nest,brian2")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--spike-precision", default="on_grid", choices=["on_grid", "off_grid"],
                        help="pyNN.nest's and pynn_gennc's (default: on the grid, the only "
                             "choice pyNN.brian2 has)")
    parser.add_argument("--cache", help="pynn_gennc's compile cache (default: a temporary folder)")
    parser.add_argument("--warm", action="store_true", help="keep pynn_gennc's compile cache")
    args = parser.parse_args()
    cache = Path(args.cache or tempfile.mkdtemp(prefix="pynn_va_cache_"))
    env = dict(os.environ, GENNC_CACHE_DIR=str(cache))
    print("| network | simulator | script wall | import | build | of which compile + create | "
          "simulate | write | exc / inh rate (Hz) | script vs pynn_gennc |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for benchmark in args.benchmarks.split(","):
        rows = []
        for simulator in args.simulators.split(","):
            if simulator == "gennc" and not args.warm and cache.exists():
                shutil.rmtree(cache)
            rows.append(run(simulator, benchmark, args.threads, args.spike_precision, env))
        reference = next((r["wall"] for r in rows if r["simulator"] == "gennc"), None)
        for r in rows:
            t = r["timings"]
            compile_create = "%.2f s" % (t["compile"] + t["create"]) if "compile" in t else "-"
            ratio = "%.1fx" % (r["wall"] / reference) if reference else "-"
            rates = " / ".join("%.2f" % v for v in r["rates"].values())
            print("| %s | %s | %.2f s | %.2f s | %.2f s | %s | %.3f s | %.2f s | %s | %s |" % (
                benchmark, r["simulator"], r["wall"], t["import"], t["build"], compile_create,
                t["simulate"], t["write"], rates, ratio))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
