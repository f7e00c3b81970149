# Values PyNN's NEST backend refuses are refused by pynn_gennc too, with PyNN's errors and
# before anything is kept: a refused set() leaves the population or projection as it was.
#  - weights of the wrong sign for the receptor (PyNN's check_weights, which PyNN's
#    connectors run on the synapses they make; here also for the synapses gennc makes and
#    those drawn in bulk);
#  - delays shorter than the time step (NEST: "BadDelay"; gennc cannot deliver them);
#  - negative rates of Poisson and gamma sources (NEST: "The rate cannot be negative");
#  - spike times that decrease, also given to a view.
# And delays read back as NEST reports them: on the time grid, rounded as the network uses
# them.
import numpy as np
import pytest
from pyNN import errors
from pyNN.random import NumpyRNG

import pynn_gennc as sim


@pytest.fixture
def network():
    sim.setup(timestep=0.1, min_delay=0.1)
    yield
    sim.end()


@pytest.mark.parametrize("connector", [lambda: sim.AllToAllConnector(),                     # made by gennc
                                       lambda: sim.FixedProbabilityConnector(0.5, rng=NumpyRNG(seed=1)),  # bulk
                                       lambda: sim.FixedNumberPreConnector(2, rng=NumpyRNG(seed=1))])   # PyNN's
def test_weights_of_the_wrong_sign(network, connector):
    cells = sim.Population(4, sim.IF_cond_exp())
    with pytest.raises(errors.ConnectionError, match="Weights must be positive"):
        sim.Projection(cells, cells, connector(), sim.StaticSynapse(weight=-0.1, delay=1.0),
                       receptor_type="excitatory")
    current = sim.Population(4, sim.IF_curr_exp())
    with pytest.raises(errors.ConnectionError, match="Weights must be negative"):
        sim.Projection(current, current, connector(), sim.StaticSynapse(weight=0.1, delay=1.0),
                       receptor_type="inhibitory")


def test_delays_shorter_than_the_step(network):
    cells = sim.Population(3, sim.IF_curr_exp())
    with pytest.raises(errors.ConnectionError, match="delay of 0 ms .* shorter than the time step"):
        sim.Projection(cells, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=0.0))
    with pytest.raises(errors.ConnectionError, match="delay of 0.05 ms"):
        sim.Projection(cells, cells, sim.FromListConnector([(0, 1, 0.1, 1.0), (1, 2, 0.1, 0.05)]),
                       sim.StaticSynapse())
    prj = sim.Projection(cells, cells, sim.FromListConnector([(0, 1, 0.1, 1.0), (1, 2, 0.1, 2.0)]),
                         sim.StaticSynapse())
    sim.run(5.0)
    with pytest.raises(errors.ConnectionError, match="shorter than the time step"):
        prj.set(delay=0.0)
    matrix = np.full((3, 3), np.nan)
    matrix[0, 1], matrix[1, 2] = 0.5, 0.01
    with pytest.raises(errors.ConnectionError, match="delay of 0.01 ms"):
        prj.set(delay=matrix)
    assert sorted(prj.get("delay", format="list")) == [(0, 1, 1.0), (1, 2, 2.0)]
    sim.run(5.0)


def test_negative_rates(network):
    for cell_type in (sim.SpikeSourcePoisson(rate=-5.0), sim.SpikeSourcePoissonRefractory(rate=[1.0, -2.0]),
                      sim.SpikeSourceGamma(beta=-1.0)):
        with pytest.raises(errors.InvalidParameterValueError, match="must not be negative"):
            sim.Population(2, cell_type)
    sources = sim.Population(3, sim.SpikeSourcePoisson(rate=5.0))
    sim.run(5.0)
    with pytest.raises(errors.InvalidParameterValueError, match="must not be negative"):
        sources.set(rate=-1.0)
    with pytest.raises(errors.InvalidParameterValueError, match="must not be negative"):
        sources[1:2].set(rate=-1.0)
    assert sources.get("rate") == 5.0  # one value for all, as PyNN returns it
    sim.run(5.0)


def test_decreasing_spike_times_on_a_view(network):
    sources = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0, 2.0], [3.0]]))
    with pytest.raises(errors.InvalidParameterValueError, match="increasing order"):
        sources[0:1].set(spike_times=[[5.0, 4.0]])
    assert [list(s.value) for s in sources.get("spike_times")] == [[1.0, 2.0], [3.0]]


def delays_read_back(backend):
    """Delays off the grid, given at creation and by set() after a run, as get() reports them."""
    backend.setup(timestep=0.1, min_delay=0.1)
    cells = backend.Population(3, backend.IF_curr_exp())
    listed = backend.Projection(cells, cells, backend.FromListConnector([(0, 1, 0.1, 0.25), (1, 2, 0.1, 0.34)]),
                                backend.StaticSynapse())
    uniform = backend.Projection(cells, cells, backend.AllToAllConnector(),
                                 backend.StaticSynapse(weight=0.1, delay=0.45))
    first = [sorted(listed.get("delay", format="list")), uniform.get("delay", format="list")[0][2]]
    backend.run(5.0)
    listed.set(delay=0.35)
    uniform.set(delay=0.15)
    second = [sorted(listed.get("delay", format="list")), uniform.get("delay", format="list")[0][2]]
    backend.run(5.0)
    backend.end()
    return first, second


def test_delays_on_the_grid_as_nest_reports_them():
    # Whole steps, halves up (0.25 ms is 3 steps of 0.1 ms, 0.35 ms 4, 0.45 ms 5): what the
    # network uses, before and after a run and after set(), as NEST rounds and reports them.
    nest = pytest.importorskip("pyNN.nest")
    got, expected = delays_read_back(sim), delays_read_back(nest)
    np.testing.assert_allclose(np.array([[d for *_, d in got[0][0]], [d for *_, d in got[1][0]]]),
                               np.array([[d for *_, d in expected[0][0]], [d for *_, d in expected[1][0]]]),
                               rtol=1e-12)
    assert got[0][1] == pytest.approx(expected[0][1], rel=1e-12)
    assert got[1][1] == pytest.approx(expected[1][1], rel=1e-12)
    assert got[0][1] == pytest.approx(0.5) and got[1][1] == pytest.approx(0.2)


def test_run_times_off_the_step(network):
    # NEST refuses a run that ends between steps ("must be a multiple of the simulation
    # resolution"); so does pynn_gennc, rather than stopping at the nearest step. Times
    # that are whole steps up to floating-point rounding run.
    cells = sim.Population(1, sim.IF_curr_exp())
    with pytest.raises(ValueError, match="not a whole number of time steps"):
        sim.run(1.05)
    assert sim.get_current_time() == 0.0
    sim.run(0.1 * 3)                    # 0.30000000000000004
    sim.run_until(0.7)
    assert sim.get_current_time() == pytest.approx(0.7)
