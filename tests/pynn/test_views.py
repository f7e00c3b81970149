# Views of views (p[2:8][1:4]) and assemblies of views: set(), get() and record() reach
# the cells they name, as on pyNN.nest (same spikes, same parameters); initialize(), which
# pyNN.nest cannot apply to a view of a view, against the cells' own first samples.
import numpy as np
import pytest

import pynn_gennc

nest_sim = pytest.importorskip("pyNN.nest")


def nested(sim):
    sim.setup(timestep=0.1, min_delay=0.1, spike_precision="on_grid")
    cells = sim.Population(10, sim.IF_curr_exp(i_offset=list(np.linspace(0.6, 1.5, 10))))
    inner = cells[2:8][1:4]          # cells 3, 4, 5
    inner.set(tau_m=10.0)
    inner[0:2].set(i_offset=2.0)     # cells 3, 4
    picked = cells[[9, 1, 6]][::2]   # cells 9, 6
    picked.set(tau_refrac=5.0)
    (inner + picked).record("spikes")
    sim.run(100.0)
    spikes = [list(np.round(t.magnitude, 4)) for t in (inner + picked).get_data().segments[0].spiketrains]
    values = [list(np.round(cells.get(name), 6)) for name in ("tau_m", "i_offset", "tau_refrac")]
    inner_values = list(np.atleast_1d(inner.get("i_offset")))
    sim.end()
    return spikes, values, inner_values


def test_views_of_views_as_nest():
    got, expected = nested(pynn_gennc), nested(nest_sim)
    assert got == expected
    assert got[1][0] == [20.0] * 3 + [10.0] * 3 + [20.0] * 4
    assert sum(len(s) for s in got[0]) > 10


def test_initialize_a_view_of_a_view():
    sim = pynn_gennc
    sim.setup(timestep=0.1, min_delay=0.1)
    cells = sim.Population(10, sim.IF_curr_exp())
    cells[2:8][1:4].initialize(v=-55.0)      # cells 3, 4, 5
    cells.record("v")
    sim.run(1.0)
    first = cells.get_data().segments[0].filter(name="v")[0].magnitude[0]
    sim.end()
    assert list(first) == [-65.0] * 3 + [-55.0] * 3 + [-65.0] * 4
