# Connections supplied by the host: a projection `via from_host()` takes its synapses from
# GenncOptions.connections (gennc/runtime.h) when the simulation is created.
#
# - The same network built once with from_list([[i, j, weight, delay], ...]) and once with
#   from_host() and the same columns through the C ABI has bitwise the same connectivity
#   arrays, weights, delays, ring depths and spike trains (Poisson drive included).
# - Bad host data is refused with a message naming the projection and the entry: a missing
#   entry, an index outside the view, a NaN weight, a negative delay, an unknown or
#   non-from_host projection, an entry given twice.
# - Checkpoints of such a network load into a simulation created with other host
#   connections (the synapse count changes) and continue the saved run exactly.
# - The `sim` program cannot supply the synapses and says so (exit 1, `sim: error:`).
import ctypes

import numpy as np
import pytest

from e2e_support import Simulation, create

STEPS = 2000  # 200 ms
THREADS = 2

NETWORK = """
import pynn
network {name} {{
  dt = 0.1 ms
  duration = 200 ms
  seed = 11
  population src = SpikeSourcePoisson(30) {{ rate = 40 Hz }}
  population exc = IF_curr_exp(20) {{ i_offset = 0.55 nA; v = uniform(-65 mV, -55 mV) }}
  projection drive = src -> exc via fixed_probability(p = 0.2)
    synapse StaticSynapse(weight = 0.2 nA, delay = 0.2 ms) onto excitatory
  projection given = src[0:30:2] -> exc[4:20] via {connector}
    synapse StaticSynapse(weight = 0.1 nA, delay = 0.5 ms) onto excitatory
  record exc.spikes
}}
"""


def synapses(seed=5, count=90):
    """Pre and post positions (views of 15 and 16), weights (nA) and delays (ms), in no
    particular order and with repeated pairs."""
    rng = np.random.default_rng(seed)
    pre = rng.integers(0, 15, count).astype(np.uint32)
    post = rng.integers(0, 16, count).astype(np.uint32)
    pre[10:13], post[10:13] = 3, 7  # one pair three times, with different weights
    weight = np.round(rng.uniform(0.2, 1.5, count), 3)
    delay = rng.choice([0.1, 0.3, 0.5, 1.2, 2.3, 4.0], count)
    return pre, post, weight, delay


def listed(pre, post, weight, delay):
    rows = ", ".join(f"[{i}, {j}, {float(w)!r}, {float(d)!r}]" for i, j, w, d in zip(pre, post, weight, delay))
    return f"from_list([{rows}])"


@pytest.fixture(scope="module")
def libraries(toolchain, tmp_path_factory):
    folder = tmp_path_factory.mktemp("from_host")
    sources = {"list": NETWORK.format(name="by_list", connector=listed(*synapses())),
               "host": NETWORK.format(name="by_host", connector="from_host()")}
    built = {}
    for kind, text in sources.items():
        path = folder / f"{kind}.gdsl"
        path.write_text(text)
        built[kind] = ctypes.CDLL(str(toolchain.compile(path, "--shared")))
    built["host_sim"] = toolchain.compile(folder / "host.gdsl")
    return built


ARRAYS = ["given.row_pointer", "given.column", "given.weight", "given.delay", "exc.ring_depth",
          "exc.excitatory.ring"]


def result(sim):
    out = {name: sim.array(name) for name in ARRAYS}
    out["spikes"] = sim.spikes("exc.spikes")
    return out


def test_from_host_builds_what_from_list_builds(libraries):
    by_list = Simulation(libraries["list"], THREADS)
    pre, post, weight, delay = synapses()
    by_host = Simulation(libraries["host"], THREADS, connections={"given": (pre, post, weight, delay)})
    assert by_host.array_length("given.column") == len(pre)
    for sim in (by_list, by_host):
        sim.run(STEPS)
    a, b = result(by_list), result(by_host)
    for name in ARRAYS:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    np.testing.assert_array_equal(a["spikes"][0], b["spikes"][0])
    np.testing.assert_array_equal(a["spikes"][1], b["spikes"][1])
    assert len(a["spikes"][0]) > 50, "the network must spike"
    # CSR order: by pre neuron (population index 2 * position), then post; the pair given
    # three times keeps its order (weights 10, 11, 12 of the host's columns).
    rows = b["given.row_pointer"].astype(int)
    first = rows[2 * 3]
    columns = b["given.column"][first:rows[2 * 3 + 1]]
    at = first + np.flatnonzero(columns == 4 + 7)
    np.testing.assert_array_equal(b["given.weight"][at], weight[10:13])
    # The longest delay, 4 ms = 40 steps, sizes the ring: 64 slots.
    assert b["exc.ring_depth"][0] == 64
    by_list.close()
    by_host.close()


def test_weights_and_delays_default_to_the_synapse_model(libraries):
    pre, post, _, _ = synapses()
    sim = Simulation(libraries["host"], THREADS, connections={"given": (pre, post)})
    np.testing.assert_array_equal(sim.array("given.weight"), np.full(len(pre), 0.1))
    np.testing.assert_array_equal(sim.array("given.delay"), np.full(len(pre), 5.0))
    sim.close()
    empty = Simulation(libraries["host"], THREADS, connections={"given": ([], [])})
    assert empty.array_length("given.column") == 0
    empty.run(10)
    empty.close()


def bad(pre=None, post=None, weight=None, delay=None):
    p, q, w, d = synapses()
    return {"given": (p if pre is None else pre, q if post is None else post,
                      w if weight is None else weight, d if delay is None else delay)}


@pytest.mark.parametrize("connections, message", [
    ({}, "projection 'given' takes its synapses from the host (from_host()), but GenncOptions.connections "
         "has no entry for it"),
    (bad(pre=np.r_[np.zeros(89, np.uint32), 15]),
     "projection 'given': host connection 89: pre index 15 is not a neuron of the pre side (15 neurons)"),
    (bad(post=np.r_[16, np.zeros(89, np.uint32)]),
     "projection 'given': host connection 0: post index 16 is not a neuron of the post side (16 neurons)"),
    (bad(weight=np.r_[np.ones(7), np.nan, np.ones(82)]),
     "projection 'given': host connection 7: weight nan is not a finite number"),
    (bad(delay=np.r_[np.ones(3), -0.5, np.ones(86)]),
     "projection 'given': host connection 3: delay -0.5 ms is not a finite number >= 0"),
    ({**bad(), "giveb": ([0], [0])},
     "GenncOptions.connections[1] names projection 'giveb', which the model does not have"),
    ({**bad(), "drive": ([0], [0])},
     "GenncOptions.connections[1] names projection 'drive', whose connector is not from_host(): its "
     "synapses do not come from the host"),
])
def test_bad_host_connections_are_refused(libraries, connections, message):
    status, handle, error = create(libraries["host"], THREADS, connections=connections)
    assert status == 1  # GENNC_ERROR_ARGUMENT
    assert not handle.value
    assert error == message


def test_an_entry_given_twice_is_refused(libraries):
    from e2e_support import Connections, Options
    lib = libraries["host"]
    pre = np.zeros(1, np.uint32)
    entries = (Connections * 2)()
    for e in entries:
        e.projection = b"given"
        e.count = 1
        e.pre = e.post = pre.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32))
    options = Options()
    lib.gennc_default_options(ctypes.byref(options))
    options.backend = b"cpu"
    options.connections, options.connection_count = entries, 2
    handle = ctypes.c_void_p()
    model = ctypes.c_char.in_dll(lib, "gennc_model")
    assert lib.gennc_create(ctypes.byref(model), ctypes.byref(options), ctypes.byref(handle)) == 1
    assert lib.gennc_last_error().decode() == (
        "GenncOptions.connections[1] names projection 'given' again (GenncOptions.connections[0] did already)")


def test_checkpoint_loads_into_other_host_connections(libraries, tmp_path):
    connections = {"given": synapses()}
    whole = Simulation(libraries["host"], THREADS, connections=connections)
    whole.run(STEPS // 2)
    whole.save(tmp_path / "half.ckpt")
    whole.run(STEPS // 2)
    expected = whole.spikes("exc.spikes")
    whole.close()
    # Created with 40 other synapses; the checkpoint brings back the 90 saved.
    other = Simulation(libraries["host"], THREADS, connections={"given": synapses(seed=9, count=40)})
    assert other.array_length("given.column") == 40
    other.load(tmp_path / "half.ckpt")
    assert other.array_length("given.column") == 90
    other.run(STEPS // 2)
    neurons, times = other.spikes("exc.spikes")
    later = expected[1] > (STEPS // 2) * 0.1 + 1e-9
    assert np.count_nonzero(later) > 20
    np.testing.assert_array_equal(neurons, expected[0][later])
    np.testing.assert_array_equal(times, expected[1][later])
    other.close()


def test_sim_cannot_supply_host_connections(libraries, toolchain, tmp_path):
    proc = toolchain.run_raw(libraries["host_sim"], tmp_path / "results")
    assert proc.returncode == 1
    assert proc.stderr == (
        "sim: error: projection 'given' takes its synapses from the program that creates the simulation "
        "(from_host()), which sim cannot supply: compile the network with `gennc --shared` and pass them in "
        "GenncOptions.connections\n")
    assert not (tmp_path / "results").exists()
