# gennc_set_step: a simulation that continues another. The PyNN backend, after a change of
# structure, creates a new simulation, copies every array of the old one with the same
# name and length into it (gennc_set_array) and sets its step; the run then goes on
# exactly as the old one would have.
#
# - Every array but connectivity (row and column pointers, columns, bitmasks, ring
#   depths) is accepted by gennc_set_array: rings, refractory countdowns, spike lists,
#   spike-source state, STDP traces and weights, short-term plasticity state.
# - Run N steps, copy everything into a second simulation of the model, set its step to N
#   and run M more: the spikes (Poisson draws keyed by the step included), the sampled
#   membrane potentials and the final state equal the uninterrupted N + M run bitwise.
# - Recordings follow the new step (samples at the multiples of the interval from time 0);
#   a step before what they hold is refused; reset after set_step goes back to time 0 and
#   to the state the first run started from (the carried-over one).
import ctypes

import numpy as np
import pytest

from e2e_support import Simulation, ir_arrays

N, M = 1234, 1766  # 123.4 ms (not a multiple of the 1 ms sampling interval), then 176.6 ms
THREADS = 2
STRUCTURAL = (".row_pointer", ".column", ".column_pointer", ".column_synapse", ".bitmask", ".ring_depth")


@pytest.fixture(scope="module")
def network(toolchain):
    library = ctypes.CDLL(str(toolchain.compile("continuation", "--shared")))
    names = [name for name, _ in ir_arrays(toolchain.gennc, toolchain.source("continuation"))]
    return library, names


def everything(sim, names):
    return {name: sim.array(name) for name in names}


def test_every_array_but_connectivity_can_be_set(network):
    library, names = network
    sim = Simulation(library, THREADS)
    sim.run(100)
    refused = []
    for name in names:
        values = sim.array(name)
        status = library.gennc_set_array_f64(sim.handle, name.encode(), values.ctypes.data_as(ctypes.c_void_p),
                                             ctypes.c_uint64(len(values)))
        if status != 0:
            assert library.gennc_last_error().decode() == f"array '{name}' holds connectivity and cannot be set"
            refused.append(name)
    assert refused == [n for n in names if n.endswith(STRUCTURAL)]
    assert {"d2e.delay", "exc.refractory_countdown", "exc.excitatory.ring", "times.next", "d2e.x_pre", "d2e.x_post",
            "d2e.weight", "t2c.x", "drive.spike_multiplicity"} <= set(names)
    sim.close()


def test_a_continued_simulation_equals_the_uninterrupted_run(network):
    library, names = network
    whole = Simulation(library, THREADS)
    whole.run(N + M)

    first = Simulation(library, THREADS)
    first.run(N)
    carried = {name: values for name, values in everything(first, names).items() if not name.endswith(STRUCTURAL)}
    first.close()

    later = Simulation(library, THREADS)
    for name, values in carried.items():
        later.set_array(name, values)
    later.set_step(N)
    assert later.step() == N and later.time() == 123.4
    later.run(M)
    assert later.step() == N + M

    for population in ("exc", "cond", "drive"):
        neurons, times = whole.spikes(population + ".spikes")
        after = times > N * 0.1 + 1e-9
        assert np.count_nonzero(after) > 20, population
        got = later.spikes(population + ".spikes")
        np.testing.assert_array_equal(got[0], neurons[after], err_msg=population)
        np.testing.assert_array_equal(got[1], times[after], err_msg=population)
    times, values = whole.samples("exc.v")
    got_times, got_values = later.samples("exc.v")
    after = times > N * 0.1
    np.testing.assert_array_equal(got_times, times[after])  # 124, 125, ... 300 ms
    assert got_times[0] == 124.0
    np.testing.assert_array_equal(got_values, values[after])
    end, got_end = everything(whole, names), everything(later, names)
    for name in names:
        np.testing.assert_array_equal(got_end[name], end[name], err_msg=name)

    # reset: time 0, and the state the first run after creation started from, which is
    # the carried-over state (parameters and connectivity untouched).
    later.reset()
    assert later.step() == 0 and later.time() == 0.0
    np.testing.assert_array_equal(later.array("exc.v"), carried["exc.v"])
    np.testing.assert_array_equal(later.array("d2e.weight"), carried["d2e.weight"])
    assert len(later.spikes("exc.spikes")[0]) == 0
    whole.close()
    later.close()


def test_set_step_keeps_recordings_sorted(network):
    library, _ = network
    sim = Simulation(library, THREADS)
    sim.run(500)
    status = library.gennc_set_step(sim.handle, ctypes.c_uint64(200))
    assert status == 1  # GENNC_ERROR_ARGUMENT
    assert library.gennc_last_error().decode() == (
        "cannot set the step to 200: the recordings hold data up to step 500 (clear them first)")
    assert sim.step() == 500
    sim.set_step(2000)  # forward is fine; so is back once the recordings are cleared
    sim.clear_recordings()
    sim.set_step(200)
    sim.run(5)
    times, _ = sim.samples("exc.v")
    np.testing.assert_array_equal(times, [20.0])
    sim.close()
