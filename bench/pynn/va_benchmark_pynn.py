"""The Vogels-Abbott benchmark (Brette et al. 2007, benchmarks 1 and 2) as a PyNN script,
for comparison with gennc's examples/vogels_abbott_{cuba,coba}.gdsl.

Built like PyNN's own examples/VAbenchmarks.py and with exactly the parameters of the
two .gdsl files: 3200 excitatory and 800 inhibitory cells, 2% connection probability,
0.2 ms delays, COBA weights 4 nS / 51 nS with a 50 ms Poisson kick from 20 sources,
CUBA weights 0.27 nS and 4.5 nS times the driving force at -60 mV with NEST's 300 Hz
stimulus into the first 50 excitatory cells. Records what the .gdsl files record: all
spikes, v of 10 cells per population every 1 ms (and, in COBA, both conductances of 10
excitatory cells).

    python va_benchmark_pynn.py nest CUBA --threads 2
    python va_benchmark_pynn.py gennc COBA --threads 1      # pynn_gennc; --backend cuda on a GPU

prints one JSON line: seconds spent importing PyNN and the simulator, building the network
(for pynn_gennc: the Python side, then writing + compiling the GDSL and creating the network
at the first run(), also shown apart as `compile` and `create`), simulating, fetching and
writing the recordings, the mean rates (Hz) and each population's last spike (ms; null if
none).
"""
import argparse
import importlib
import json
import os
import tempfile
import time

start = time.perf_counter()
parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("simulator", choices=["gennc", "nest", "brian2"])
parser.add_argument("benchmark", choices=["CUBA", "COBA"])
parser.add_argument("--threads", type=int, default=1,
                    help="NEST and gennc threads (Brian2 runs on one)")
parser.add_argument("--backend", default="cpu", help="gennc: cpu, cuda or auto")
parser.add_argument("--seed", type=int, default=98765,
                    help="VAbenchmarks.py: rngseed; also seeds the simulator's own streams (Poisson)")
parser.add_argument("--spike-precision", default="on_grid", choices=["on_grid", "off_grid"],
                    help="pyNN.nest's and pynn_gennc's (pyNN.brian2 has only the grid); both "
                         "default to off_grid, the benchmark compares all three on the grid")
parser.add_argument("--out", help="folder for the recordings (default: a temporary one)")
args = parser.parse_args()

sim = importlib.import_module("pynn_gennc" if args.simulator == "gennc" else "pyNN." + args.simulator)
from neo.io import PickleIO  # noqa: E402
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: E402

timings = {"import": time.perf_counter() - start}
t0 = time.perf_counter()

dt, tstop, delay, pconn = 0.1, 1000.0, 0.2, 0.02
n_exc, n_inh = 3200, 800
# The seed reaches the simulator's own streams too, so that runs with different seeds
# also draw different Poisson kicks (NEST's default is 42 whatever the NumpyRNG's seed).
setup = {"timestep": dt, "min_delay": delay, "rng_seed": args.seed}
if args.simulator == "nest":
    setup.update(threads=args.threads, spike_precision=args.spike_precision)
if args.simulator == "gennc":
    setup.update(threads=args.threads, backend=args.backend, spike_precision=args.spike_precision)
sim.setup(**setup)
rng = NumpyRNG(seed=args.seed)

cell = {"cm": 0.2, "tau_m": 20.0, "tau_refrac": 5.0, "v_thresh": -50.0, "v_reset": -60.0,
        "tau_syn_E": 5.0, "tau_syn_I": 10.0, "i_offset": 0.0}
if args.benchmark == "COBA":
    cell_type = sim.IF_cond_exp(v_rest=-60.0, e_rev_E=0.0, e_rev_I=-80.0, **cell)
    w_exc, w_inh = 4e-3, 51e-3                   # uS
else:
    cell_type = sim.IF_curr_exp(v_rest=-49.0, **cell)
    w_exc, w_inh = 0.27e-3 * 60.0, 4.5e-3 * -20.0  # nA: nS x (E_rev - (-60 mV))

v_init = RandomDistribution("uniform", low=-60.0, high=-50.0, rng=rng)
exc = sim.Population(n_exc, cell_type, initial_values={"v": v_init}, label="exc")
inh = sim.Population(n_inh, cell_type, initial_values={"v": v_init}, label="inh")
connector = sim.FixedProbabilityConnector(pconn, rng=rng)
for pre, weight, receptor in ((exc, w_exc, "excitatory"), (inh, w_inh, "inhibitory")):
    for post in (exc, inh):
        sim.Projection(pre, post, connector, sim.StaticSynapse(weight=weight, delay=delay),
                       receptor_type=receptor)

if args.benchmark == "COBA":
    stim = sim.Population(20, sim.SpikeSourcePoisson(rate=100.0, start=0.0, duration=50.0))
    for post in (exc, inh):
        sim.Projection(stim, post, sim.FixedProbabilityConnector(0.01, rng=rng),
                       sim.StaticSynapse(weight=0.1, delay=delay), receptor_type="excitatory")
else:
    stim = sim.Population(50, sim.SpikeSourcePoisson(rate=300.0, start=1.0, duration=50.0))
    sim.Projection(stim, exc[0:50], sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=w_exc, delay=delay), receptor_type="excitatory")

for pop in (exc, inh):
    pop.record("spikes")
    pop[0:10].record("v", sampling_interval=1.0)
if args.benchmark == "COBA":
    exc[0:10].record(["gsyn_exc", "gsyn_inh"], sampling_interval=1.0)
timings["build"] = time.perf_counter() - t0

t0 = time.perf_counter()
sim.run(tstop)
timings["simulate"] = time.perf_counter() - t0
if args.simulator == "gennc":
    # The first run() writes, compiles and creates the network before it simulates.
    state = sim.simulator.state
    timings["compile"] = state.timings["write"] + state.timings["compile"]
    timings["create"] = state.timings["create"]
    timings["simulate"] -= timings["compile"] + timings["create"]
    timings["build"] += timings["compile"] + timings["create"]

t0 = time.perf_counter()
out = args.out or tempfile.mkdtemp(prefix="va_pynn_")
os.makedirs(out, exist_ok=True)
rates, last_spike = {}, {}
for pop in (exc, inh):
    block = pop.get_data()
    trains = block.segments[0].spiketrains
    rates[pop.label] = sum(len(st) for st in trains) / pop.size / (tstop / 1000.0)
    last_spike[pop.label] = max((float(st.magnitude.max()) for st in trains if len(st)), default=None)
    PickleIO(filename=os.path.join(out, pop.label + ".pkl")).write_block(block)
timings["write"] = time.perf_counter() - t0
sim.end()
timings["total"] = time.perf_counter() - start
print(json.dumps({"simulator": args.simulator, "benchmark": args.benchmark, "threads": args.threads,
                  "timings": timings, "rates": rates, "last_spike": last_spike}))
