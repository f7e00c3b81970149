# PyNN's ElectricalSynapse is a bidirectional gap junction: each synapse (i, j, w) adds
# w (v_i - v_j) to cell j's current and w (v_j - v_i) to cell i's. pynn_gennc builds it
# from gennc's one-way ElectricalSynapse and its mirror, post -> pre (docs/pynn.md, "Gap
# junctions"). Checked against the analytic steady state of passive IF_cond_exp cells
# (no spikes: the threshold is out of reach, no synaptic conductances), where
#     gL (v - E_L) + I_offset = sum over junctions of w (v_other - v)
# is one linear system, solved here with numpy: for the all-to-all connector that gennc
# builds itself, for a FromListConnector's per-synapse weights handed over from Python,
# after Projection.set() between runs, and for the network exported to GDSL and run by
# its own `sim`. pyNN.nest has no ElectricalSynapse to compare
# with. Tolerance 1e-6 mV: after 400 ms the slowest mode (time constant at most
# tau_m = 20 ms) has decayed by e^-20, and exact integration holds it to rounding.
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from pyNN.random import NumpyRNG

import pynn_gennc
import pynn_gennc as sim
from pynn_gennc.compiler import find_gennc
from pynn_gennc.random import NativeRNG

CM, TAU_M, E_L = 1.0, 20.0, -65.0   # nF, ms, mV: IF_cond_exp's defaults
G_L = CM / TAU_M                     # uS
TOLERANCE = 1e-6                     # mV


def steady_state(currents, junctions):
    """v (mV) of passive cells with i_offset `currents` (nA) joined by `junctions`, a list of
    (cell, cell, w in uS) over all cells."""
    n = len(currents)
    g = np.diag(np.full(n, G_L))
    for i, j, w in junctions:
        g[i, i] += w
        g[j, j] += w
        g[i, j] -= w
        g[j, i] -= w
    return E_L + np.linalg.solve(g, np.asarray(currents, float))


def last_v(populations):
    return np.concatenate([p.get_data().segments[0].analogsignals[0][-1].magnitude for p in populations])


def junctions(prj):
    """The projection's synapses as PyNN reports them: (pre, post, weight)."""
    return [(int(i), int(j), float(w)) for i, j, w in prj.get("weight", format="list")]


def cells(currents):
    return sim.Population(len(currents), sim.IF_cond_exp(v_thresh=0.0, i_offset=currents))


def test_all_to_all_both_ways():
    sim.setup(timestep=0.1, min_delay=0.1)
    a, b = cells([0.5, 0.0]), cells([0.0, -0.2, 0.3])
    sim.Projection(a, b, sim.AllToAllConnector(), sim.ElectricalSynapse(weight=0.01))
    for p in (a, b):
        p.record("v")
    sim.run(400.0)
    v = last_v([a, b])
    sim.end()
    expected = steady_state([0.5, 0.0, 0.0, -0.2, 0.3], [(i, 2 + j, 0.01) for i in range(2) for j in range(3)])
    # The driven cell a[0] is pulled down by b as b is pulled up: both directions act.
    assert np.max(np.abs(v - expected)) < TOLERANCE, (v, expected)
    assert v[0] < E_L + 0.5 / G_L - 1.0


def test_per_synapse_weights_and_set_between_runs():
    sim.setup(timestep=0.1, min_delay=0.1)
    pop = cells([0.6, 0.0, -0.3, 0.2])
    # Within one population, in no particular order of pre or post.
    pairs = [(2, 0, 0.02), (0, 1, 0.005), (3, 1, 0.03), (1, 2, 0.01)]
    prj = sim.Projection(pop, pop, sim.FromListConnector(pairs, column_names=["weight"]),
                         sim.ElectricalSynapse())
    pop.record("v")
    sim.run(400.0)
    first = last_v([pop])
    assert np.max(np.abs(first - steady_state([0.6, 0.0, -0.3, 0.2], pairs))) < TOLERANCE
    # New weights as PyNN gives them, a pre x post matrix; get() reads them at once.
    new = {(2, 0): 0.04, (0, 1): 0.0, (3, 1): 0.015, (1, 2): 0.002}
    matrix = np.full((4, 4), np.nan)
    for (i, j), w in new.items():
        matrix[i, j] = w
    prj.set(weight=matrix)
    assert {(i, j): w for i, j, w in junctions(prj)} == new
    sim.run(400.0)
    second = last_v([pop])
    expected = steady_state([0.6, 0.0, -0.3, 0.2], junctions(prj))
    sim.end()
    assert np.max(np.abs(second - expected)) < TOLERANCE, (second, expected)
    assert np.max(np.abs(second - first)) > 0.1


def test_native_random_connector_refused():
    sim.setup(timestep=0.1, min_delay=0.1)
    pop = cells([0.0] * 10)
    with pytest.raises(NotImplementedError, match="ElectricalSynapse"):
        sim.Projection(pop, pop, sim.FixedProbabilityConnector(0.2, rng=NativeRNG(seed=1)),
                       sim.ElectricalSynapse(weight=0.01))
    sim.end()


def test_numpy_rng_connector_matches_its_synapses():
    # A random connector drawn in Python: the steady state of the synapses PyNN drew.
    sim.setup(timestep=0.1, min_delay=0.1)
    currents = list(np.linspace(-0.3, 0.6, 12))
    pop = cells(currents)
    prj = sim.Projection(pop, pop, sim.FixedProbabilityConnector(0.3, rng=NumpyRNG(seed=7)),
                         sim.ElectricalSynapse(weight=0.004))
    pop.record("v")
    sim.run(400.0)
    v = last_v([pop])
    pairs = junctions(prj)
    sim.end()
    assert len(pairs) > 10
    assert np.max(np.abs(v - steady_state(currents, pairs))) < TOLERANCE


EXPORTED = textwrap.dedent('''
    import pynn_gennc as sim
    sim.setup(timestep=0.1, min_delay=0.1)
    a = sim.Population(2, sim.IF_cond_exp(v_thresh=0.0, i_offset=[0.5, 0.0]), label="a")
    b = sim.Population(3, sim.IF_cond_exp(v_thresh=0.0, i_offset=[0.0, -0.2, 0.3]), label="b")
    sim.Projection(a, b, sim.AllToAllConnector(), sim.ElectricalSynapse(weight=0.01))
    sim.Projection(b, b, sim.FromListConnector([(0, 2, 0.02), (2, 1, 0.005)], column_names=["weight"]),
                   sim.ElectricalSynapse())
    a.record("v")
    b.record("v")
    sim.run(400.0)
    sim.end()
''')


def test_export_writes_the_mirrors(tmp_path):
    # The exported network alone, compiled by gennc and run by its `sim`: the steady state
    # of both projections, each with its mirror (one from the connector, one from a file).
    script = tmp_path / "gap.py"
    script.write_text(EXPORTED)
    subprocess.run([sys.executable, "-m", "pynn_gennc.export_script", str(script), "-o",
                    str(tmp_path / "gap.gdsl")], check=True, cwd=tmp_path)
    text = (tmp_path / "gap.gdsl").read_text()
    assert "= b -> a via all_to_all(" in text
    assert 'b_b_mirror = b -> b via from_file("gap.b_b_mirror.conn")' in text
    options = text.splitlines()[1].split("gennc", 1)[1].split("gap.gdsl")[0].split()
    subprocess.run([str(find_gennc()), *options, "gap.gdsl", "-o", "sim"], check=True, cwd=tmp_path)
    subprocess.run(["./sim", "--out", "results", "--quiet"], check=True, cwd=tmp_path)
    signals = pynn_gennc.load_results(tmp_path / "results").segments[0].analogsignals
    v = np.concatenate([s[-1].magnitude for s in sorted(signals, key=lambda s: s.annotations["source_population"])])
    expected = steady_state([0.5, 0.0, 0.0, -0.2, 0.3],
                            [(i, 2 + j, 0.01) for i in range(2) for j in range(3)] + [(2, 4, 0.02), (4, 3, 0.005)])
    assert np.max(np.abs(v - expected)) < TOLERANCE, (v, expected)
