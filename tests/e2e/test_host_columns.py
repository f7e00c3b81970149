# Per-synapse values of other synapse variables from the host: a projection `via
# from_host(U)` takes, besides pre, post, weight and delay, a column of U per synapse
# (GenncConnections.column_names / columns, gennc/runtime.h).
#
# - A Tsodyks-Markram projection whose U is drawn per synapse (uniform) and its twin that
#   takes those very values from the host, given in the host's own (unsorted) synapse
#   order, have bitwise the same U and u arrays and spike trains: the column follows the
#   synapses into CSR order with the permutation pre and post take.
# - Values are in the variable's declared unit (Hz, pF) and scaled as a bare number
#   written in the network would be; a declared variable without a column keeps the
#   network's value.
# - An undeclared column, a column given twice, a NaN or infinite value and a column
#   without values are refused, naming the projection and the column.
import numpy as np
import pytest

from e2e_support import Simulation, create

STEPS = 3000  # 300 ms
THREADS = 2

NETWORK = """
import pynn
network {name} {{
  dt = 0.1 ms
  duration = 300 ms
  seed = 21
  population src = SpikeSourcePoisson(40) {{ rate = 30 Hz }}
  population exc = IF_curr_exp(25) {{ i_offset = 0.5 nA; v = uniform(-65 mV, -55 mV) }}
  projection tm = src[0:40:2] -> exc[5:25] via {connector}
    synapse TsodyksMarkramSynapse(weight = 2.0 nA, U = {U}, tau_rec = 150 ms, tau_facil = 40 ms,
                                  delay = 0.5 ms) onto excitatory
  record exc.spikes
}}
"""

UNITS = """
import pynn
synapse Scaled {
  parameters { weight: weight = 0.0; delay: ms = dt; rate: Hz = 10.0; c: pF = 250.0; p: real = 0.25 }
  on pre { emit(weight * p * rate * 1 ms * c / 1 nF) }
}
network units {
  dt = 0.1 ms
  population a = IF_curr_exp(3)
  population b = IF_curr_exp(4)
  projection s = a -> b via from_host(rate, c, p) synapse Scaled(weight = 0.1 nA, p = 0.5) onto excitatory
}
"""


def synapses(seed=3, count=160):
    """Pre and post positions (views of 20 and 20) in no particular order, with repeats."""
    rng = np.random.default_rng(seed)
    pre = rng.integers(0, 20, count).astype(np.uint32)
    post = rng.integers(0, 20, count).astype(np.uint32)
    pre[20:24], post[20:24] = 6, 11  # one pair four times
    return pre, post


def csr_order(pre, post):
    """The runtime's order of the host's synapses: by pre neuron, then post neuron, stable
    (the views keep population order, so positions sort as population indices do)."""
    return np.lexsort((np.arange(len(pre)), post, pre))


@pytest.fixture(scope="module")
def libraries(toolchain, tmp_path_factory):
    folder = tmp_path_factory.mktemp("host_columns")
    sources = {"drawn": NETWORK.format(name="drawn", connector="from_host()", U="uniform(0.05, 0.95)"),
               "given": NETWORK.format(name="given", connector="from_host(U)", U="0.5"),
               "units": UNITS}
    built = {}
    for kind, text in sources.items():
        path = folder / f"{kind}.gdsl"
        path.write_text(text)
        built[kind] = toolchain.compile(path, "--shared")
    import ctypes
    return {kind: ctypes.CDLL(str(path)) for kind, path in built.items()}


def test_a_host_column_gives_what_a_drawn_value_gives(libraries):
    pre, post = synapses()
    drawn = Simulation(libraries["drawn"], THREADS, connections={"tm": (pre, post)})
    u_csr = drawn.array("tm.U")
    assert len(u_csr) == len(pre)
    assert np.all((u_csr >= 0.05) & (u_csr <= 0.95)) and len(np.unique(u_csr)) > 100
    # The host's column is in its own synapse order: synapse order[k] lands at k.
    order = csr_order(pre, post)
    u_host = np.empty_like(u_csr)
    u_host[order] = u_csr
    given = Simulation(libraries["given"], THREADS, connections={"tm": (pre, post, None, None, {"U": u_host})})
    np.testing.assert_array_equal(given.array("tm.U"), u_csr)
    for sim in (drawn, given):
        sim.run(STEPS)
    for name in ("tm.U", "tm.u", "tm.x", "tm.t_last"):
        np.testing.assert_array_equal(drawn.array(name), given.array(name), err_msg=name)
    assert np.count_nonzero(given.array("tm.u")) > 100, "the synapses must have transmitted"
    a, b = drawn.spikes("exc.spikes"), given.spikes("exc.spikes")
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert len(a[0]) > 50, "the network must spike"
    # U matters: the same synapses with the network's U = 0.5 everywhere spike otherwise.
    plain = Simulation(libraries["given"], THREADS, connections={"tm": (pre, post)})
    np.testing.assert_array_equal(plain.array("tm.U"), np.full(len(pre), 0.5))
    plain.run(STEPS)
    c = plain.spikes("exc.spikes")
    assert len(c[1]) != len(b[1]) or np.any(c[1] != b[1])
    for sim in (drawn, given, plain):
        sim.close()


def test_columns_are_in_the_declared_unit(libraries):
    pre = np.array([2, 0, 1, 0], np.uint32)
    post = np.array([3, 1, 0, 2], np.uint32)
    rate = np.array([20.0, 40.0, 10.0, 5.0])  # Hz, stored in 1/ms
    c = np.array([100.0, 250.0, 500.0, 1000.0])  # pF, stored in nF
    sim = Simulation(libraries["units"], THREADS, connections={"s": (pre, post, None, None, {"rate": rate, "c": c})})
    order = csr_order(pre, post)
    np.testing.assert_array_equal(sim.array("s.rate"), (rate * 0.001)[order])
    np.testing.assert_array_equal(sim.array("s.c"), (c * 0.001)[order])
    # Declared but not given: the network's value.
    np.testing.assert_array_equal(sim.array("s.p"), np.full(4, 0.5))
    sim.close()


def given_entry(columns):
    pre, post = synapses()
    return {"tm": (pre, post, None, None, columns)}


U = np.linspace(0.1, 0.9, 160)


@pytest.mark.parametrize("library, columns, message", [
    ("given", {"U": U, "tau_rec": np.full(160, 100.0)},
     "GenncOptions.connections[0] (projection 'tm'): column 'tau_rec' is not one the projection takes from the "
     "host; its connector from_host(...) names 'U' (weight and delay have fields of their own)"),
    ("given", {"weight": np.ones(160)},
     "GenncOptions.connections[0] (projection 'tm'): column 'weight' is not one the projection takes from the "
     "host; its connector from_host(...) names 'U' (weight and delay have fields of their own)"),
    ("drawn", {"U": U},
     "GenncOptions.connections[0] (projection 'tm'): column 'U' is not one the projection takes from the host; "
     "its connector from_host() names none (weight and delay have fields of their own)"),
    ("given", [("U", U), ("U", U)],
     "GenncOptions.connections[0] (projection 'tm'): column 'U' is given twice (columns 0 and 1)"),
    ("given", {"U": None},
     "GenncOptions.connections[0] (projection 'tm'): column 'U' has no values"),
    ("given", {"U": np.r_[U[:5], np.nan, U[6:]]},
     "projection 'tm': host connection 5: U nan is not a finite number"),
    ("given", {"U": np.r_[U[:159], -np.inf]},
     "projection 'tm': host connection 159: U -inf is not a finite number"),
])
def test_bad_columns_are_refused(libraries, library, columns, message):
    status, handle, error = create(libraries[library], THREADS, connections=given_entry(columns))
    assert status == 1  # GENNC_ERROR_ARGUMENT
    assert not handle.value
    assert error == message
