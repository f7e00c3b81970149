"""The Vogels-Abbott benchmark (CUBA and COBA, 4000 neurons, 1 s of biological time) end to
end on gennc's CPU back end, pyNN.nest and pyNN.brian2, side by side on one machine.

gennc: compile time (the gennc process, wall clock), then `sim` with the manifest's init,
simulate and write timings and the wall clock of the whole process. PyNN: the same network
(bench/pynn/va_benchmark_pynn.py) with its import, build, simulate and write times and its
wall clock. Each simulator runs with 1 thread and with every core (NEST's local threads;
Brian2's runtime mode, which pyNN.brian2 uses, has one thread whatever is asked, so it runs
once). Prints a Markdown table with the ratios gennc/NEST and gennc/Brian2 and the mean
rates; the rates agree when every run's excitatory and inhibitory rates lie within 20% of
the mean of all runs of that benchmark (different random draws move them by a few percent).

    .venv/bin/python bench/va_benchmark.py --gennc build/bin/gennc
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
AGREEMENT = 0.20


def run(command, env=None):
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, command))}\n{proc.stdout}{proc.stderr}")
    return proc.stdout, wall


def gennc_runs(gennc, benchmark, threads, work):
    source = ROOT / "examples" / f"vogels_abbott_{benchmark.lower()}.gdsl"
    sim = work / f"va_{benchmark.lower()}"
    _, compile_time = run([str(gennc), str(source), "-o", str(sim)])
    rows = []
    for n in threads:
        out = work / f"gennc_{benchmark}_{n}"
        _, wall = run([str(sim), "--out", str(out), "--backend", "cpu", "--threads", str(n), "--quiet"])
        manifest = json.loads((out / "manifest.json").read_text())
        t = manifest["timings"]
        rates = {}
        for r in manifest["recordings"]:
            if r["kind"] == "spikes" and r["population"] in ("exc", "inh"):
                rates[r["population"]] = r["count"] / r["neuron_count"] / (manifest["duration"] / 1000.0)
        rows.append({"simulator": "gennc", "benchmark": benchmark, "threads": n,
                     "compile": compile_time, "build": t["init"], "simulate": t["simulate"],
                     "write": t["write"], "total": compile_time + wall, "rates": rates})
    return rows


def pynn_run(simulator, benchmark, n, work, pythonpath):
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    stdout, wall = run([sys.executable, str(ROOT / "bench" / "pynn" / "va_benchmark_pynn.py"), simulator,
                        benchmark, "--threads", str(n), "--out", str(work / f"{simulator}_{benchmark}_{n}")],
                       env)
    result = json.loads(stdout.strip().splitlines()[-1])
    t = result["timings"]
    return {"simulator": simulator, "benchmark": benchmark, "threads": n, "compile": t["import"],
            "build": t["build"], "simulate": t["simulate"], "write": t["write"], "total": wall,
            "rates": result["rates"]}


def table(rows):
    lines = ["| benchmark | simulator | threads | compile / import (s) | init / build (s) | simulate (s) "
             "| write (s) | total (s) | gennc/sim: simulate | gennc/sim: total | exc (Hz) | inh (Hz) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        mine = [g for g in rows if g["simulator"] == "gennc" and g["benchmark"] == r["benchmark"]
                and g["threads"] == r["threads"]] or \
               [g for g in rows if g["simulator"] == "gennc" and g["benchmark"] == r["benchmark"]]
        ratio_sim = ratio_total = "-"
        if r["simulator"] != "gennc" and mine:
            ratio_sim = f"{mine[0]['simulate'] / r['simulate']:.3f}"
            ratio_total = f"{mine[0]['total'] / r['total']:.3f}"
        lines.append(f"| {r['benchmark']} | {r['simulator']} | {r['threads']} | {r['compile']:.2f} | "
                     f"{r['build']:.2f} | {r['simulate']:.2f} | {r['write']:.2f} | {r['total']:.2f} | "
                     f"{ratio_sim} | {ratio_total} | {r['rates']['exc']:.2f} | {r['rates']['inh']:.2f} |")
    return "\n".join(lines)


def agreement(rows):
    verdicts = []
    for benchmark in sorted({r["benchmark"] for r in rows}):
        runs = [r for r in rows if r["benchmark"] == benchmark]
        for population in ("exc", "inh"):
            rates = [r["rates"][population] for r in runs]
            mean = sum(rates) / len(rates)
            ok = all(abs(x - mean) <= AGREEMENT * mean for x in rates)
            verdicts.append(f"{benchmark} {population}: mean {mean:.2f} Hz, spread "
                            f"{min(rates):.2f} - {max(rates):.2f} Hz: {'agree' if ok else 'DISAGREE'}")
    return verdicts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gennc", default=str(ROOT / "build" / "bin" / "gennc"))
    parser.add_argument("--benchmarks", default="CUBA,COBA")
    parser.add_argument("--simulators", default="gennc,nest,brian2")
    parser.add_argument("--threads", default=f"1,{os.cpu_count()}", help="thread counts (default 1 and all cores)")
    parser.add_argument("--brian2-pythonpath", default="",
                        help="folders put before PYTHONPATH for pyNN.brian2 (see bench/README.md)")
    parser.add_argument("--work", help="folder for binaries and results (default: a temporary one)")
    args = parser.parse_args()
    threads = sorted({int(t) for t in args.threads.split(",")})
    work = pathlib.Path(args.work or tempfile.mkdtemp(prefix="va_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    simulators = args.simulators.split(",")
    rows = []
    for benchmark in args.benchmarks.split(","):
        if "gennc" in simulators:
            rows += gennc_runs(pathlib.Path(args.gennc), benchmark, threads, work)
        if "nest" in simulators:
            rows += [pynn_run("nest", benchmark, n, work, "") for n in threads]
        if "brian2" in simulators:
            rows.append(pynn_run("brian2", benchmark, 1, work, args.brian2_pythonpath))
        print(f"{benchmark} done", file=sys.stderr, flush=True)
    print(table(rows))
    print()
    for line in agreement(rows):
        print("- " + line)


if __name__ == "__main__":
    main()
