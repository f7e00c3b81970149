"""What float32 costs and saves against float64, on the CPU back end.

Speed: each example network compiled twice (`--float32` and the default, float64), each `sim`
run REPEATS times alternately with one thread; the table gives the median simulate time of
each and their ratio, with the rates (the same seed gives the same draws in both
precisions, so rates differ only where rounding moves a spike).

Fidelity: single cells through PyNN (pynn_gennc with float64=False and True) against
pyNN.nest (on-grid spikes, dt 0.1 ms) under the same DC step; the table gives each
side's spike count and the largest spike-time difference from NEST's.

    .venv/bin/python bench/precision.py --gennc build/bin/gennc
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
NETWORKS = ["vogels_abbott_cuba", "vogels_abbott_coba", "brunel2000_ai", "izhikevich2003"]
# (IF_cond_exp_gsfa_grr is left out: pyNN.nest 0.13 cannot initialise its g_r.)
CELLS = [("IF_curr_exp", 1.0), ("IF_cond_exp", 1.0), ("Izhikevich", 0.01), ("EIF_cond_exp_isfa_ista", 1.0)]

SINGLE_CELL = r"""
import json, sys
import numpy as np
which, name, amplitude, float64 = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4] == "1"
if which == "nest":
    import pyNN.nest as sim
    sim.setup(timestep=0.1, min_delay=0.1, spike_precision="on_grid")
else:
    import pynn_gennc as sim
    sim.setup(timestep=0.1, min_delay=0.1, float64=float64, spike_precision="on_grid")
cell = sim.Population(1, getattr(sim, name)())
cell.record("spikes")
sim.DCSource(amplitude=amplitude, start=20.0, stop=980.0).inject_into(cell)
sim.run(1000.0)
print(json.dumps([float(t) for t in cell.get_data("spikes").segments[0].spiketrains[0].magnitude]))
"""


def run(command):
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, command))}\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def speed(gennc, repeats, work):
    print("| network | float32 simulate (s) | float64 simulate (s) | float64 / float32 | rates f32 (Hz) | rates f64 (Hz) |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    for network in NETWORKS:
        sims = {}
        for precision, flags in (("f32", ["--float32"]), ("f64", [])):
            sims[precision] = work / f"{network}_{precision}"
            run([gennc, str(ROOT / "examples" / f"{network}.gdsl"), *flags, "-o", str(sims[precision])])
        times = {"f32": [], "f64": []}
        rates = {}
        for _ in range(repeats):
            for precision, sim in sims.items():
                out = work / f"out_{network}_{precision}"
                run([str(sim), "--out", str(out), "--backend", "cpu", "--threads", "1", "--quiet"])
                manifest = json.loads((out / "manifest.json").read_text())
                times[precision].append(manifest["timings"]["simulate"])
                seconds = manifest["duration"] / 1000.0
                rates[precision] = ", ".join(
                    f"{r['population']} {r['count'] / r['neuron_count'] / seconds:.2f}"
                    for r in manifest["recordings"] if r["kind"] == "spikes" and r["neuron_count"] > 0)
        f32, f64 = statistics.median(times["f32"]), statistics.median(times["f64"])
        print(f"| {network} | {f32:.3f} | {f64:.3f} | {f64 / f32:.2f} | {rates['f32']} | {rates['f64']} |")


def fidelity(python):
    print()
    print("| cell | NEST spikes | f32 spikes | f32 worst diff (ms) | f64 spikes | f64 worst diff (ms) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, amplitude in CELLS:
        trains = {}
        for key, which, float64 in (("nest", "nest", "1"), ("f32", "gennc", "0"), ("f64", "gennc", "1")):
            out = run([python, "-c", SINGLE_CELL, which, name, str(amplitude), float64])
            trains[key] = json.loads(out.strip().splitlines()[-1])
        cells = [str(len(trains["nest"]))]
        for key in ("f32", "f64"):
            worst = (max(abs(a - b) for a, b in zip(trains[key], trains["nest"]))
                     if len(trains[key]) == len(trains["nest"]) and trains["nest"] else float("nan"))
            cells += [str(len(trains[key])), "count differs" if worst != worst else f"{worst:.3g}"]
        print(f"| {name} | " + " | ".join(cells) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gennc", default=str(ROOT / "build" / "bin" / "gennc"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        speed(args.gennc, args.repeats, pathlib.Path(tmp))
    fidelity(args.python)


if __name__ == "__main__":
    main()
