"""setup, run, reset, end and the state queries, as PyNN defines them."""
import os

from pyNN import common
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.recording import get_io

from . import simulator


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY, threads=0, backend="auto",
          float64=True, export=None, runtime_parameters=True, spike_precision="off_grid", **extra_params):
    """Starts a new network.

    pynn_gennc's own arguments: `threads` (CPU worker threads, 0 = one per hardware thread),
    `backend` ('auto': the GPU when one is present, else the CPU; 'cpu'; 'cuda'), `float64`
    (real-valued state in double precision, the default; False for single), `export` (a
    .gdsl path: the script's network is written there instead of being simulated), and
    `rng_seed` (the network's seed for gennc's own random streams).

    `spike_precision` is pyNN.nest's, with its default: 'off_grid' gives exact spike times
    to the cell types pyNN.nest then runs as NEST's precise models (IF_curr_exp,
    IF_curr_delta, SpikeSourceArray, and SpikeSourcePoisson as SpikeSourcePoissonPrecise),
    and STDP onto them sees each post spike at its exact time, as NEST's synapses do;
    'on_grid' puts every spike at the end of its step.
    """
    max_delay = extra_params.get("max_delay", DEFAULT_MAX_DELAY)
    common.setup(timestep, min_delay, **extra_params)
    if backend not in ("auto", "cpu", "cuda"):
        raise ValueError("backend must be 'auto', 'cpu' or 'cuda', not %r" % (backend,))
    if spike_precision not in ("off_grid", "on_grid"):
        raise ValueError("spike_precision must be 'off_grid' or 'on_grid', not %r" % (spike_precision,))
    simulator.state.clear()
    simulator.state.configure(timestep, min_delay, max_delay, threads=threads, backend=backend,
                              float64=float64, export=export or os.environ.get("PYNN_GENNC_EXPORT"),
                              rng_seed=extra_params.get("rng_seed"),
                              runtime_parameters=runtime_parameters,
                              precise=spike_precision == "off_grid")
    return rank()


def end(compatible_output=True):
    """Writes data requested with write_on_end, an export if one was asked for, and frees
    the network."""
    state = simulator.state
    for population, variables, filename in state.write_on_end:
        population.write_data(get_io(filename), variables)
    state.write_on_end = []
    if state.export_path is not None:
        from .export import export_network
        export_network(state, state.export_path)
    if state.sim is not None:
        # What was recorded stays readable after end(), as PyNN's backends keep it.
        state.pull_recordings(state.sim)
        for source in state.current_sources:
            source.keep()
        state.sim.close()
        state.sim = None


run, run_until = common.build_run(simulator)
run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize
get_current_time, get_time_step, get_min_delay, get_max_delay, num_processes, rank = \
    common.build_state_queries(simulator)
