"""How often the Vogels-Abbott COBA network loses its self-sustained activity, gennc against
NEST, over many seeds.

The network is started by a 50 ms Poisson kick (20 sources at 100 Hz, about 100 spikes in
all) and must then sustain itself; with some draws of the connectivity and the kick it dies
out instead. gennc runs examples/vogels_abbott_coba.gdsl (compiled once) with
`sim --seed N`; NEST runs the same network through PyNN (bench/pynn/va_benchmark_pynn.py
nest COBA --seed N, which seeds both the NumpyRNG and NEST's own streams). With
`--simulators gennc,nest,pynn_gennc`, pynn_gennc also runs the PyNN script: the same
connectivity and initial potentials as NEST for each seed (PyNN's NumpyRNG), only the
Poisson kick drawn by gennc. All 1 s, one thread. A run has died out when neither population fires in the last `--tail` ms.

Prints a Markdown table: per simulator the runs, how many died out (and their seeds and
last spikes), the mean and standard deviation over the surviving runs of the excitatory and
inhibitory rates (whole second, as the benchmark measures them), and Fisher's exact test on
the two die-out counts.

    .venv/bin/python bench/va_seeds.py --gennc build/bin/gennc --seeds 1-20
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
from scipy.stats import fisher_exact

ROOT = pathlib.Path(__file__).resolve().parents[1]
DURATION = 1000.0


def seed_list(text):
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def check(command):
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, command))}\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def gennc_runs(gennc, seeds, work):
    sim = work / "coba_sim"
    check([gennc, str(ROOT / "examples" / "vogels_abbott_coba.gdsl"), "--no-gpu", "-o", str(sim)])
    for seed in seeds:
        out = work / f"gennc_{seed}"
        check([str(sim), "--out", str(out), "--seed", str(seed), "--backend", "cpu", "--threads", "1",
               "--quiet"])
        rates, last = {}, {}
        for pop, size in (("exc", 3200), ("inh", 800)):
            times = np.load(out / f"{pop}.spikes.npy")[:, 1]       # rows of (neuron, time)
            rates[pop] = len(times) / size / (DURATION / 1000.0)
            last[pop] = float(times.max()) if len(times) else None
        yield seed, rates, last


def pynn_runs(simulator, seeds, work):
    script = ROOT / "bench" / "pynn" / "va_benchmark_pynn.py"
    for seed in seeds:
        line = check([sys.executable, str(script), simulator, "COBA", "--seed", str(seed),
                      "--out", str(work / f"pynn_{simulator}_{seed}")]).strip().splitlines()[-1]
        result = json.loads(line)
        yield seed, result["rates"], result["last_spike"]


def summary(name, runs, tail):
    died = [(seed, max((t for t in last.values() if t is not None), default=0.0))
            for seed, _, last in runs
            if all(t is None or t < DURATION - tail for t in last.values())]
    dead = {seed for seed, _ in died}
    alive = [rates for seed, rates, _ in runs if seed not in dead]
    row = {"simulator": name, "runs": len(runs), "died": len(died), "died_seeds": died}
    for pop in ("exc", "inh"):
        values = np.array([r[pop] for r in alive])
        row[pop] = (values.mean(), values.std(ddof=1)) if len(values) > 1 else (np.nan, np.nan)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gennc", default=str(ROOT / "build" / "bin" / "gennc"))
    parser.add_argument("--seeds", default="1-20", help="gennc seeds, FIRST-LAST")
    parser.add_argument("--nest-seeds", help="seeds of the PyNN runs (nest, pynn_gennc), FIRST-LAST "
                        "(default: --seeds)")
    parser.add_argument("--simulators", default="gennc,nest", help="gennc, nest, pynn_gennc")
    parser.add_argument("--tail", type=float, default=100.0,
                        help="a run has died out when nothing fires in its last TAIL ms")
    parser.add_argument("--work", help="keep the results folders here (default: a temporary folder)")
    args = parser.parse_args()

    if args.work:
        pathlib.Path(args.work).mkdir(parents=True, exist_ok=True)
        report(args, pathlib.Path(args.work))
    else:
        with tempfile.TemporaryDirectory(prefix="va_seeds_") as tmp:
            report(args, pathlib.Path(tmp))


def report(args, work):
    rows = []
    for name in args.simulators.split(","):
        if name == "gennc":
            runs = list(gennc_runs(args.gennc, seed_list(args.seeds), work))
        else:
            runs = list(pynn_runs(name.replace("pynn_", ""), seed_list(args.nest_seeds or args.seeds), work))
        for seed, rates, last in runs:
            print(f"{name} seed {seed}: exc {rates['exc']:.2f} Hz, inh {rates['inh']:.2f} Hz, "
                  f"last spikes {last}", file=sys.stderr)
        rows.append(summary(name, runs, args.tail))

    print("| Simulator | Runs | Died out | Seeds that died (last spike, ms) "
          "| Exc rate of survivors (Hz) | Inh rate of survivors (Hz) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        seeds = ", ".join(f"{s} ({t:.0f})" for s, t in r["died_seeds"]) or "none"
        print(f"| {r['simulator']} | {r['runs']} | {r['died']} | {seeds} "
              f"| {r['exc'][0]:.2f} +- {r['exc'][1]:.2f} | {r['inh'][0]:.2f} +- {r['inh'][1]:.2f} |")
    print()
    nest = next((r for r in rows if r["simulator"] == "nest"), None)
    for r in rows:
        if nest is not None and r is not nest:
            _, p = fisher_exact([[r["died"], r["runs"] - r["died"]], [nest["died"], nest["runs"] - nest["died"]]])
            print(f"Fisher's exact test, died out vs survived, {r['simulator']} against nest: p = {p:.3g}")


if __name__ == "__main__":
    main()
