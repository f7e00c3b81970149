"""gennc's CPU back end against Brian2's C++ standalone device and NEST, side by side.

Four networks: Vogels-Abbott CUBA and COBA (examples/vogels_abbott_{cuba,coba}.gdsl),
Brunel's AI network at 10,000 neurons (examples/brunel2000_ai.gdsl with N_E = 8000 and
N_I = 2000, written into the work folder) and the 10%-scale microcircuit
(examples/potjans_diesmann_scaled.gdsl). Each runs on gennc's `sim`, on Brian2 2.9's
cpp_standalone program (cpu_compare_brian2.py: the same network, integration method and
recordings) and on NEST (pyNN.nest through pynn/va_benchmark_pynn.py for Vogels-Abbott,
cpu_compare_nest.py for the others), at each thread count.

gennc and Brian2 run in turn (gennc, Brian2, gennc, Brian2, ...) `--repeats` times, so
both see the same machine load; the table gives medians of the whole process (gennc: `sim`
alone; its compile is the first column) and of the simulate phase (gennc's manifest;
Brian2's results/last_run_info.txt; NEST's Simulate call), the ratio Brian2/gennc of the
simulate medians and gennc's speed-up from the first thread count to each other one.
NEST runs `--nest-repeats` times (it is 10-100x slower, so its ratio is not the point).
gennc compiles with `-O3 --fast-math` unless `--gennc-flags` says otherwise, the match of
Brian2's `-O3 -ffast-math`: neither build's spike trains are then bitwise its default's.
Memory per synapse: gennc's manifest (its arrays); Brian2's synaptic arrays as its program
writes them into results/ (pre and post indices, per-synapse weights and delays, counts;
its spike queue is not included); NEST's resident memory grown by Connect per connection.

    .venv/bin/python bench/cpu_compare.py --gennc build/bin/gennc --threads 1 2 --repeats 5

Brian2's programs are compiled once per network and thread count into `--cache`
(default /tmp/cpu_compare_cache) and reused while this script and the network are unchanged.
"""
import argparse
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PYTHON = sys.executable
NETWORKS = {
    "cuba": ("Vogels-Abbott CUBA", "vogels_abbott_cuba.gdsl"),
    "coba": ("Vogels-Abbott COBA", "vogels_abbott_coba.gdsl"),
    "brunel": ("Brunel AI, 10,000", "brunel2000_ai.gdsl"),
    "microcircuit": ("microcircuit 10%", "potjans_diesmann_scaled.gdsl"),
}


def child_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command, cwd=None, cpu=None):
    """Runs command; returns its stdout and wall clock. With `cpu` (a list), appends the
    CPU seconds it used (user + system, all its threads): on a loaded machine the least
    disturbed measure of the work done."""
    start, cpu_start = time.perf_counter(), child_cpu_seconds()
    proc = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    wall = time.perf_counter() - start
    if cpu is not None:
        cpu.append(child_cpu_seconds() - cpu_start)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, command))}\n{proc.stdout[-2000:]}{proc.stderr[-4000:]}")
    return proc.stdout, wall


def network_source(network, work):
    source = ROOT / "examples" / NETWORKS[network][1]
    if network != "brunel":
        return source
    # 10,000 neurons: the paper's 4:1 ratio and 10% connectivity, only N_E and N_I change.
    text = source.read_text().replace("let N_E = 10000", "let N_E = 8000").replace("let N_I = 2500", "let N_I = 2000")
    smaller = work / "brunel2000_ai_10000.gdsl"
    smaller.write_text(text)
    return smaller


class Gennc:
    name = "gennc"

    def __init__(self, gennc, flags, network, source, work):
        self.sim = work / f"sim_{network}"
        _, self.compile_seconds = timed([gennc, str(source), "-o", str(self.sim)] + flags)
        self.work = work
        self.memory = None

    def run(self, threads):
        out = self.work / f"out_{self.sim.name}_{threads}"
        cpu = []
        _, wall = timed([str(self.sim), "--backend", "cpu", "--threads", str(threads), "--quiet", "--out", str(out)],
                        cpu=cpu)
        manifest = json.loads((out / "manifest.json").read_text())
        self.memory = manifest["memory"]["bytes_per_synapse"]
        spikes = sum(r["count"] for r in manifest["recordings"] if r["kind"] == "spikes")
        return {"wall": wall, "cpu": cpu[0], "simulate": manifest["timings"]["simulate"], "spikes": spikes}


class Brian2:
    name = "brian2"

    def __init__(self, network, source, threads, cache):
        self.builds = {}
        for n in threads:
            build = cache / f"{network}_{n}"
            seconds_file = build / "cpu_compare.seconds"
            start = time.perf_counter()
            timed([PYTHON, str(BENCH / "cpu_compare_brian2.py"), network, "--threads", str(n), "--build", str(build),
                   "--source", str(source)], cwd=cache)
            if not seconds_file.exists() or seconds_file.stat().st_mtime < (build / "main").stat().st_mtime:
                seconds_file.write_text(f"{time.perf_counter() - start}\n")
            # A reused build shows the time its compile took when it was made.
            self.builds[n] = (build, float(seconds_file.read_text()))
        self.memory = None

    def run(self, threads):
        build = self.builds[threads][0]
        cpu = []
        _, wall = timed([str(build / "main")], cwd=build, cpu=cpu)
        results = build / "results"
        simulate = float((results / "last_run_info.txt").read_text().split()[0])
        synaptic = {f.name: f.stat().st_size for f in results.iterdir() if "_synapses" in f.name}
        synapses = sum(size // 4 for name, size in synaptic.items() if "__synaptic_pre_" in name)
        self.memory = sum(synaptic.values()) / max(synapses, 1)
        spikes = sum(f.stat().st_size // 4 for f in results.iterdir()
                     if f.name.startswith("_dynamic_array_spikemonitor") and "_i_" in f.name)
        return {"wall": wall, "cpu": cpu[0], "simulate": simulate, "spikes": spikes}


class Nest:
    name = "nest"

    def __init__(self, network, source):
        self.network, self.source = network, source
        self.memory = None

    def run(self, threads):
        if self.network in ("cuba", "coba"):
            command = [PYTHON, str(BENCH / "pynn" / "va_benchmark_pynn.py"), "nest", self.network.upper(),
                       "--threads", str(threads)]
        else:
            command = [PYTHON, str(BENCH / "cpu_compare_nest.py"), self.network, "--source", str(self.source),
                       "--threads", str(threads)]
        cpu = []
        out, wall = timed(command, cwd=BENCH, cpu=cpu)
        report = json.loads(out.strip().splitlines()[-1])
        self.memory = report.get("bytes_per_synapse", self.memory)
        rates = report.get("rates")
        spikes = report.get("spikes", round(sum(rates.values()) * 2000) if rates else 0)
        return {"wall": wall, "cpu": cpu[0], "simulate": report["timings"]["simulate"], "spikes": spikes}


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gennc", default=str(ROOT / "build" / "bin" / "gennc"))
    parser.add_argument("--gennc-flags", default="-O3 --fast-math",
                        help="added to every gennc command (default '-O3 --fast-math', as Brian2 compiles "
                             "with -O3 -ffast-math: the host kernels' AVX-512 and one-thread entries, "
                             "arithmetic LLVM may reassociate; docs/codegen.md)")
    parser.add_argument("--networks", default="cuba,coba,brunel,microcircuit")
    parser.add_argument("--simulators", default="gennc,brian2,nest")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--nest-repeats", type=int, default=1)
    parser.add_argument("--cache", default="/tmp/cpu_compare_cache")
    parser.add_argument("--work", help="folder for binaries and results (default: a temporary one)")
    args = parser.parse_args()
    cache = pathlib.Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    work = pathlib.Path(args.work or tempfile.mkdtemp(prefix="cpu_compare_"))
    work.mkdir(parents=True, exist_ok=True)
    chosen = args.simulators.split(",")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()
    rows = []
    for network in args.networks.split(","):
        source = network_source(network, work)
        simulators = []
        if "gennc" in chosen:
            simulators.append(Gennc(args.gennc, args.gennc_flags.split(), network, source, work))
        if "brian2" in chosen:
            simulators.append(Brian2(network, source, args.threads, cache))
        runs = {(s.name, n): [] for s in simulators for n in args.threads}
        for n in args.threads:
            for _ in range(args.repeats):
                for s in simulators:
                    runs[(s.name, n)].append(s.run(n))
        if "nest" in chosen:
            nest = Nest(network, source)
            simulators.append(nest)
            for n in args.threads:
                runs[("nest", n)] = [nest.run(n) for _ in range(args.nest_repeats)]
        for s in simulators:
            for n in args.threads:
                rows.append((network, s, n, runs[(s.name, n)], runs.get(("gennc", n)), runs.get(("gennc", args.threads[0]))))
        print(f"done: {network}", file=sys.stderr, flush=True)
    print(f"Run {started} to {time.strftime('%H:%M UTC', time.gmtime())}; load average "
          f"{load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores; "
          f"medians of {args.repeats} runs (NEST: {args.nest_repeats}); gennc flags: '{args.gennc_flags}'.\n")
    print("| network | simulator | threads | compile (s) | whole process (s) | process CPU (s) | simulate (s) | "
          "simulate: sim/gennc | gennc speed-up vs first thread count | spikes | bytes/synapse |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for network, s, n, own, gennc_same, gennc_first in rows:
        compile_seconds = getattr(s, "compile_seconds", None) or getattr(s, "builds", {}).get(n, (None, None))[1]
        simulate = median(own, "simulate")
        ratio = f"{simulate / median(gennc_same, 'simulate'):.2f}" if gennc_same and s.name != "gennc" else "-"
        speedup = (f"{median(gennc_first, 'simulate') / simulate:.2f}"
                   if s.name == "gennc" and n != args.threads[0] else "-")
        cells = [NETWORKS[network][0], s.name, str(n), "-" if compile_seconds is None else f"{compile_seconds:.2f}",
                 f"{median(own, 'wall'):.3f}", f"{median(own, 'cpu'):.3f}", f"{simulate:.3f}", ratio, speedup, str(int(median(own, "spikes"))),
                 "-" if s.memory is None else f"{s.memory:.1f}"]
        print("| " + " | ".join(cells) + " |")

if __name__ == "__main__":
    main()
