"""Brunel (2000) SR and SI-slow on NEST directly and on gennc, measured the way
tests/e2e/test_examples.py measures them.

NEST side: nest.Create("iaf_psc_delta") with the parameters of
examples/brunel2000_{sr,si_slow}.gdsl (tau_m 20 ms, threshold 20 mV, reset 10 mV, t_ref
2 ms, rest 0 mV, every neuron starting at 0 mV), fixed_indegree C_E = 1000 and C_I = 250
with multapses and autapses (NEST's defaults, as the .gdsl files say), J = 0.1 mV,
-g J for inhibition, D = 1.5 ms, one poisson_generator at C_E * eta * 10 Hz connected to
every neuron, dt = 0.1 ms, one thread. gennc side: the example compiled once and run with
`sim --seed N`. Both run `--duration` ms (the test's 600 by default) and are measured from
200 ms on with the test's own mean_cv and spectrum_peak (10 Hz lower bound, 0.5 ms bins)
and its rate window.

Prints one row per run and a Markdown table of the mean and standard deviation over seeds.

    .venv/bin/python bench/brunel_nest.py --networks sr,si_slow --seeds 1-3
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

os.environ.setdefault("PYNEST_QUIET", "1")    # NEST's banner would go into the table

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from e2e_support import Results  # noqa: E402
from test_examples import mean_cv, spectrum_peak  # noqa: E402

START = 200.0
# g and nu_ext/nu_thr of each regime (the .gdsl files' `let g` and `let eta`).
REGIMES = {"sr": (3.0, 2.0), "si_slow": (4.5, 0.9)}
N_E, N_I, C_E, C_I, J, D, TAU, THETA = 10000, 2500, 1000, 250, 0.1, 1.5, 20.0, 20.0


class NestResults:
    """Spike times from NEST, with the methods of e2e_support.Results that the analysis uses."""

    def __init__(self, spikes, sizes):
        self._spikes, self.sizes = spikes, sizes

    def spikes(self, population):
        return self._spikes[population]

    def spike_trains(self, population):
        neurons, times = self._spikes[population]
        order = np.lexsort((times, neurons))
        neurons, times = neurons[order], times[order]
        bounds = np.searchsorted(neurons, np.arange(self.sizes[population] + 1))
        return [times[bounds[k]:bounds[k + 1]] for k in range(self.sizes[population])]

    def rate(self, population, start, stop):
        times = self._spikes[population][1]
        return np.count_nonzero((times >= start) & (times < stop)) / self.sizes[population] / (
            (stop - start) / 1000.0)


def nest_run(regime, seed, duration):
    import nest
    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "rng_seed": seed, "local_num_threads": 1})
    g, eta = REGIMES[regime]
    params = {"C_m": 1.0, "tau_m": TAU, "t_ref": 2.0, "E_L": 0.0, "V_th": THETA,
              "V_reset": 10.0, "V_m": 0.0, "I_e": 0.0}
    exc = nest.Create("iaf_psc_delta", N_E, params=params)
    inh = nest.Create("iaf_psc_delta", N_I, params=params)
    nu_thr = THETA / (J * C_E * TAU) * 1000.0                      # Hz
    noise = nest.Create("poisson_generator", params={"rate": C_E * eta * nu_thr})
    nest.Connect(noise, exc + inh, syn_spec={"weight": J, "delay": D})
    nest.Connect(exc, exc + inh, {"rule": "fixed_indegree", "indegree": C_E},
                 {"weight": J, "delay": D})
    nest.Connect(inh, exc + inh, {"rule": "fixed_indegree", "indegree": C_I},
                 {"weight": -g * J, "delay": D})
    recorders = {}
    for name, pop in (("exc", exc), ("inh", inh)):
        recorders[name] = nest.Create("spike_recorder")
        nest.Connect(pop, recorders[name])
    nest.Simulate(duration)
    spikes = {}
    for name, pop in (("exc", exc), ("inh", inh)):
        events = recorders[name].get("events")
        spikes[name] = (np.asarray(events["senders"]) - pop[0].global_id, np.asarray(events["times"]))
    return NestResults(spikes, {"exc": N_E, "inh": N_I})


def gennc_run(sim, seed, duration, work, threads):
    out = work / f"{sim.name}_{seed}"
    subprocess.run([str(sim), "--out", str(out), "--seed", str(seed), "--duration", str(duration),
                    "--backend", "cpu", "--threads", str(threads), "--quiet"], check=True)
    return Results(out)


def measure(results, duration):
    return {"rate_exc": results.rate("exc", START, duration), "rate_inh": results.rate("inh", START, duration),
            "cv_exc": mean_cv(results, "exc", START), "cv_inh": mean_cv(results, "inh", START),
            "peak": spectrum_peak(results, ("exc", "inh"), START, duration, 10.0)}


def seed_list(text):
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gennc", default=str(ROOT / "build" / "bin" / "gennc"))
    parser.add_argument("--networks", default="sr,si_slow")
    parser.add_argument("--simulators", default="gennc,nest")
    parser.add_argument("--seeds", default="1-3", help="FIRST-LAST")
    parser.add_argument("--duration", type=float, default=600.0, help="ms (measured from 200 ms on)")
    parser.add_argument("--threads", type=int, default=1, help="gennc worker threads")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="brunel_nest_") as tmp:
        rows = run_all(args, pathlib.Path(tmp))
    table(args, rows)


def run_all(args, work):
    rows = []
    for regime in args.networks.split(","):
        sim = work / f"brunel2000_{regime}"
        if "gennc" in args.simulators:
            subprocess.run([args.gennc, str(ROOT / "examples" / f"brunel2000_{regime}.gdsl"), "--no-gpu",
                            "-o", str(sim)], check=True)
        for simulator in args.simulators.split(","):
            for seed in seed_list(args.seeds):
                t0 = time.perf_counter()
                results = (nest_run(regime, seed, args.duration) if simulator == "nest"
                           else gennc_run(sim, seed, args.duration, work, args.threads))
                row = {"network": regime, "simulator": simulator, "seed": seed,
                       "wall_s": round(time.perf_counter() - t0, 1), **measure(results, args.duration)}
                print(json.dumps(row), file=sys.stderr, flush=True)
                rows.append(row)
    return rows


def table(args, rows):
    keys = ("rate_exc", "rate_inh", "cv_exc", "cv_inh", "peak")
    print(f"{args.duration:.0f} ms simulated, measured from {START:.0f} ms; mean +- std over seeds {args.seeds}\n")
    print("| Network | Simulator | Runs | Rate exc (Hz) | Rate inh (Hz) | CV exc | CV inh | Spectrum peak (Hz) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for regime in args.networks.split(","):
        for simulator in args.simulators.split(","):
            group = [r for r in rows if r["network"] == regime and r["simulator"] == simulator]
            cells = []
            for k in keys:
                values = np.array([r[k] for r in group])
                digits = 3 if k.startswith("cv") else 1
                cells.append(f"{values.mean():.{digits}f} +- {values.std(ddof=1) if len(values) > 1 else 0:.{digits}f}")
            print(f"| {regime} | {simulator} | {len(group)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
