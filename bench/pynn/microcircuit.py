"""The Potjans & Diesmann (2014) cortical microcircuit as a PyNN script, for pynn_gennc.

The same network as examples/potjans_diesmann.gdsl (and NEST's PyNEST Potjans_2014
example it follows): eight IF_curr_exp populations, fixed-total-number connectivity from
the paper's connection probabilities, normal weights and clipped-normal delays, one
Poisson source per neuron as background, all drawn by gennc (pynn_gennc.NativeRNG), so
nothing per synapse is built in Python.

    python microcircuit.py [--scale 1.0] [--duration 1000] [--backend auto] [--threads 0]

prints one JSON line: seconds spent building in Python, writing + compiling + creating the
network (the first run()), simulating, and the mean rate of each population (Hz), with
the back end that ran it.
"""
import argparse
import json
import time

import numpy as np

start = time.perf_counter()
parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--scale", type=float, default=1.0, help="fraction of the neurons (and in-degrees kept)")
parser.add_argument("--duration", type=float, default=1000.0, help="simulated time, ms")
parser.add_argument("--backend", default="auto")
parser.add_argument("--threads", type=int, default=0)
parser.add_argument("--seed", type=int, default=55)
args = parser.parse_args()

import pynn_gennc as sim  # noqa: E402
from pyNN.random import RandomDistribution  # noqa: E402

names = ["L23e", "L23i", "L4e", "L4i", "L5e", "L5i", "L6e", "L6i"]
full_size = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
# Connection probabilities, rows: target, columns: source (the paper's Table 5).
conn_probs = np.array([
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443]])
k_ext = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
v0 = [(-68.28, 5.36), (-63.16, 4.57), (-63.33, 4.74), (-63.45, 4.94), (-63.11, 4.94),
      (-61.66, 4.55), (-66.72, 5.46), (-61.43, 4.48)]
w_exc = 0.08781      # nA: a 0.15 mV peak PSP (PyNEST helpers.py)
g = -4.0
d_exc, d_inh = 1.5, 0.75
bg_rate = 8.0        # Hz per external input

rng = sim.NativeRNG(seed=args.seed)
# On the grid, as the published model (NEST iaf_psc_exp).
sim.setup(timestep=0.1, min_delay=0.1, backend=args.backend, threads=args.threads, float64=False,
          spike_precision="on_grid")
cell = dict(cm=0.25, tau_m=10.0, tau_refrac=2.0, tau_syn_E=0.5, tau_syn_I=0.5, v_rest=-65.0,
            v_reset=-65.0, v_thresh=-50.0)
sizes = [int(round(n * args.scale)) for n in full_size]
pops = []
for name, n, (mu, sd), k in zip(names, sizes, v0, k_ext):
    pop = sim.Population(n, sim.IF_curr_exp(**cell), label=name,
                         initial_values={"v": RandomDistribution("normal", (mu, sd), rng=rng)})
    background = sim.Population(n, sim.SpikeSourcePoisson(rate=k * bg_rate), label="bg_" + name)
    sim.Projection(background, pop, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=w_exc, delay=1.5), receptor_type="excitatory")
    pop.record("spikes")
    pops.append(pop)

for t, target in enumerate(pops):
    for s, source in enumerate(pops):
        p = conn_probs[t, s]
        if p == 0.0:
            continue
        # Total synapse count as PyNEST computes it from the probability (helpers.py).
        n_pairs = full_size[s] * full_size[t]
        total = int(round(np.log(1.0 - p) / np.log((n_pairs - 1.0) / n_pairs) * args.scale))
        excitatory = names[s].endswith("e")
        w = w_exc * (2.0 if (names[s], names[t]) == ("L4e", "L23e") else 1.0) * (1.0 if excitatory else g)
        d = d_exc if excitatory else d_inh
        synapse = sim.StaticSynapse(
            weight=RandomDistribution("normal", (w, 0.1 * abs(w)), rng=rng),
            delay=RandomDistribution("normal_clipped", (d, 0.5 * d, 0.1, d + 5.0 * d), rng=rng))
        sim.Projection(source, target, sim.FixedTotalNumberConnector(total, rng=rng), synapse,
                       receptor_type="excitatory" if excitatory else "inhibitory")
timings = {"build": time.perf_counter() - start}

t0 = time.perf_counter()
sim.run(args.duration)
state = sim.simulator.state
timings["compile"] = state.timings["write"] + state.timings["compile"]
timings["create"] = state.timings["create"]
timings["simulate"] = time.perf_counter() - t0 - timings["compile"] - timings["create"]
rates = {}
for pop in pops:
    counts = pop.get_spike_counts()
    rates[pop.label] = sum(counts.values()) / pop.size / (args.duration / 1000.0)
backend = state.sim.backend
sim.end()
timings["total"] = time.perf_counter() - start
print(json.dumps({"scale": args.scale, "duration": args.duration, "backend": backend,
                  "timings": timings, "rates": rates}))
