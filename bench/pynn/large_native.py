"""A PyNN script of a 1e6-neuron, 1e8-synapse network with NativeRNG, for pynn_gennc: how
long it takes to build.

A Brunel-style network: 800,000 excitatory and 200,000 inhibitory IF_curr_exp cells, each
receiving 80 excitatory and 20 inhibitory synapses (FixedNumberPreConnector with gennc's
NativeRNG: 1e8 synapses, drawn when the network is created), uniform initial v from
NativeRNG, a Poisson source per cell. Prints one JSON line: the Python side of the build,
writing + compiling the GDSL, creating the network (connectivity and initial values) and
simulating `--duration` ms, with the back end.

    python large_native.py [--neurons 1000000] [--indegree 100] [--duration 10] [--backend cpu]
"""
import argparse
import json
import time

start = time.perf_counter()
parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--neurons", type=int, default=1000000)
parser.add_argument("--indegree", type=int, default=100)
parser.add_argument("--duration", type=float, default=10.0)
parser.add_argument("--backend", default="cpu")
parser.add_argument("--threads", type=int, default=0)
args = parser.parse_args()

import pynn_gennc as sim  # noqa: E402
from pyNN.random import RandomDistribution  # noqa: E402

t0 = time.perf_counter()
rng = sim.NativeRNG(seed=7)
sim.setup(timestep=0.1, min_delay=1.5, backend=args.backend, threads=args.threads, float64=False,
          spike_precision="on_grid")
n_exc = int(0.8 * args.neurons)
cell = sim.IF_curr_exp(tau_refrac=2.0, v_thresh=-50.0, v_reset=-65.0)
exc = sim.Population(n_exc, cell, label="exc",
                     initial_values={"v": RandomDistribution("uniform", (-65.0, -50.0), rng=rng)})
inh = sim.Population(args.neurons - n_exc, cell, label="inh",
                     initial_values={"v": RandomDistribution("uniform", (-65.0, -50.0), rng=rng)})
cells = exc + inh
noise = sim.Population(args.neurons, sim.SpikeSourcePoisson(rate=9000.0), label="noise")
for pop, offset in ((exc, 0), (inh, n_exc)):
    sim.Projection(noise[offset:offset + pop.size], pop, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=0.1, delay=1.5), receptor_type="excitatory")
k_exc = int(0.8 * args.indegree)
for pre, k, w, receptor in ((exc, k_exc, 0.1, "excitatory"), (inh, args.indegree - k_exc, -0.5, "inhibitory")):
    for post in (exc, inh):
        sim.Projection(pre, post, sim.FixedNumberPreConnector(k, rng=rng),
                       sim.StaticSynapse(weight=w, delay=1.5), receptor_type=receptor)
exc.record("spikes")
timings = {"python_build": time.perf_counter() - t0}

t0 = time.perf_counter()
sim.run(args.duration)
state = sim.simulator.state
timings["compile"] = state.timings["write"] + state.timings["compile"]
timings["create"] = state.timings["create"]
timings["simulate"] = time.perf_counter() - t0 - timings["compile"] - timings["create"]
rate = sum(exc.get_spike_counts().values()) / exc.size / (args.duration / 1000.0)
backend = state.sim.backend
sim.end()
timings["total"] = time.perf_counter() - start
print(json.dumps({"neurons": args.neurons, "synapses": args.neurons * args.indegree,
                  "backend": backend, "timings": timings, "exc_rate": rate}))
