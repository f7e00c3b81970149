"""pynn_gennc against pyNN.nest: the same PyNN script on both, numbers compared.

Networks, short-term and spike-timing-dependent plasticity; single cells and spike
sources are in tests/nest.

Both run with `spike_precision="on_grid"` (the STDP protocols also off the grid; other
off-grid cases: test_off_grid.py) and an explicit `min_delay`, in float64 on gennc's side. Each test states its tolerance. Where gennc is known to differ
from NEST (the delta-synapse step order; the fidelity issue), the test says so and checks the
bound measured today, so a change either way shows up.
"""
import numpy as np
import pytest

nest_sim = pytest.importorskip("pyNN.nest")
import pynn_gennc  # noqa: E402

DT = 0.1


def setup(sim, spike_precision="on_grid"):
    sim.setup(timestep=DT, min_delay=DT, spike_precision=spike_precision)


def spikes_of(pop):
    return [np.asarray(st.magnitude) for st in pop.get_data("spikes").segments[0].spiketrains]


def balanced_network(sim, seed=98765):
    """Scenario 1's balanced network, scaled up: NumpyRNG connectivity drawn by PyNN."""
    from pyNN.random import NumpyRNG, RandomDistribution
    setup(sim)
    rng = NumpyRNG(seed=seed)
    params = dict(tau_m=20.0, tau_syn_E=5.0, tau_syn_I=10.0, v_rest=-60.0, v_reset=-60.0,
                  v_thresh=-50.0, cm=0.2, tau_refrac=5.0, e_rev_E=0.0, e_rev_I=-80.0)
    cells = sim.Population(1000, sim.IF_cond_exp(**params), label="cells")
    cells.initialize(v=RandomDistribution("uniform", (-60.0, -50.0), rng=rng))
    exc, inh = cells[:800], cells[800:]
    stim = sim.Population(20, sim.SpikeSourceArray(spike_times=np.arange(1.0, 50.0, 2.0)))
    connector = sim.FixedProbabilityConnector(0.02, rng=rng)
    projections = [
        sim.Projection(exc, cells, connector, sim.StaticSynapse(weight=0.004, delay=0.2),
                       receptor_type="excitatory"),
        sim.Projection(inh, cells, connector, sim.StaticSynapse(weight=0.051, delay=0.2),
                       receptor_type="inhibitory"),
        sim.Projection(stim, cells, sim.FixedProbabilityConnector(0.1, rng=rng),
                       sim.StaticSynapse(weight=0.1, delay=0.2), receptor_type="excitatory"),
    ]
    cells.record("spikes")
    sim.run(500.0)
    sizes = [p.size() for p in projections]
    weights = projections[0].get("weight", format="list")
    rate = sum(len(s) for s in spikes_of(cells)) / cells.size / 0.5
    sim.end()
    return sizes, sorted((int(i), int(j), w) for i, j, w in weights), rate


def test_balanced_network_numpy_rng():
    """Identical synapses for the same NumpyRNG seed; the mean rate within 5%."""
    sizes_n, weights_n, rate_n = balanced_network(nest_sim)
    sizes_g, weights_g, rate_g = balanced_network(pynn_gennc)
    assert sizes_g == sizes_n
    assert [w[:2] for w in weights_g] == [w[:2] for w in weights_n]
    np.testing.assert_allclose([w[2] for w in weights_g], [w[2] for w in weights_n], rtol=1e-12)
    assert rate_n > 1.0
    assert abs(rate_g - rate_n) <= 0.05 * rate_n, (rate_g, rate_n)


def tsodyks_markram(sim, U, tau_rec, tau_facil):
    setup(sim)
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=np.arange(10.0, 200.0, 20.0)))
    post = sim.Population(1, sim.IF_curr_exp(tau_syn_E=2.0, v_thresh=100.0))
    synapse = sim.TsodyksMarkramSynapse(U=U, tau_rec=tau_rec, tau_facil=tau_facil, weight=1.0,
                                        delay=1.0)
    sim.Projection(pre, post, sim.AllToAllConnector(), synapse, receptor_type="excitatory")
    post.record("v")
    sim.run(250.0)
    v = post.get_data("v").segments[0].analogsignals[0].magnitude[:, 0]
    sim.end()
    return v


@pytest.mark.parametrize("U,tau_rec,tau_facil", [(0.5, 800.0, 0.0), (0.04, 100.0, 1000.0)],
                         ids=["depressing", "facilitating"])
def test_tsodyks_markram(U, tau_rec, tau_facil):
    """The postsynaptic potential train: within 1e-6 mV of NEST."""
    expected = tsodyks_markram(nest_sim, U, tau_rec, tau_facil)
    got = tsodyks_markram(pynn_gennc, U, tau_rec, tau_facil)
    np.testing.assert_allclose(got, expected, atol=1e-6)


def tsodyks_markram_per_synapse(sim):
    """U and tau_rec drawn per synapse (NumpyRNG, the same numbers on both), onto cells of
    differing tau_syn_E (each synapse's tau_psc its post cell's)."""
    from pyNN.random import NumpyRNG, RandomDistribution
    setup(sim)
    pre = sim.Population(5, sim.SpikeSourceArray(spike_times=[[10.0, 20.0, 30.0, 40.0, 80.0]] * 5))
    post = sim.Population(5, sim.IF_curr_exp(tau_syn_E=[2.0, 3.0, 4.0, 5.0, 6.0], v_thresh=100.0))
    rng = NumpyRNG(seed=3)
    synapse = sim.TsodyksMarkramSynapse(weight=0.5, delay=1.0, tau_facil=20.0,
                                        U=RandomDistribution("uniform", (0.2, 0.8), rng=rng),
                                        tau_rec=RandomDistribution("uniform", (50.0, 300.0), rng=rng))
    projection = sim.Projection(pre, post, sim.OneToOneConnector(), synapse, receptor_type="excitatory")
    post.record("v")
    sim.run(100.0)
    v = post.get_data("v").segments[0].analogsignals[0].magnitude.copy()
    U = np.array(projection.get("U", format="list"))[:, 2]
    sim.end()
    return v, U


def test_tsodyks_markram_per_synapse():
    """Per-synapse U and tau_rec onto cells of five tau_syn_E: the same U, and the potentials
    within 1e-6 mV of NEST."""
    expected_v, expected_U = tsodyks_markram_per_synapse(nest_sim)
    got_v, got_U = tsodyks_markram_per_synapse(pynn_gennc)
    np.testing.assert_array_equal(got_U, expected_U)
    assert len(set(got_U)) == 5
    np.testing.assert_allclose(got_v, expected_v, atol=1e-6)


PAIRING_PERIOD = 200.0  # ms


def stdp_pairs(sim, protocols, spike_precision="on_grid"):
    """{(dt_pairing, delay, weight_dependence): final weight} of one run in which each
    protocol drives a pre source, a teacher and a post cell of its own (not connected to
    the others', so each protocol runs as it would alone): 60 pairings at 5 Hz, post fired
    `dt_pairing` ms after the pre spike reaches it (the traces, 20 ms, have decayed to 1e-4
    of a pairing's by the next one)."""
    setup(sim, spike_precision)
    t_pre = np.arange(60) * PAIRING_PERIOD + 100.0
    plastic = {}
    for dt_pairing, delay, weight_dependence in protocols:
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=t_pre))
        teacher = sim.Population(1, sim.SpikeSourceArray(spike_times=t_pre + delay + dt_pairing))
        post = sim.Population(1, sim.IF_curr_exp(tau_refrac=5.0))
        sim.Projection(teacher, post, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=20.0, delay=DT), receptor_type="excitatory")
        stdp = sim.STDPMechanism(
            timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.002,
                                                A_minus=0.0024),
            weight_dependence=getattr(sim, weight_dependence)(w_min=0.0, w_max=1.0),
            weight=0.5, delay=delay)
        plastic[dt_pairing, delay, weight_dependence] = sim.Projection(
            pre, post, sim.AllToAllConnector(), stdp, receptor_type="excitatory")
    sim.run(60 * PAIRING_PERIOD + 200.0)
    weights = {key: p.get("weight", format="array")[0, 0] for key, p in plastic.items()}
    sim.end()
    return weights


PAIR_DELAYS = [0.1, 1.0, 5.0]
PAIR_DT = [10.0, -10.0, 2.0]
WEIGHT_DEPENDENCES = ["MultiplicativeWeightDependence", "GutigWeightDependence",
                      "AdditivePotentiationMultiplicativeDepression"]
WEIGHT_DT = [10.0, -10.0]
# Every STDP protocol of the tests below, run in one network per simulator.
PROTOCOLS = ([(dt, delay, "AdditiveWeightDependence") for dt in PAIR_DT for delay in PAIR_DELAYS]
             + [(dt, 1.0, w) for dt in WEIGHT_DT for w in WEIGHT_DEPENDENCES])
_stdp_weights = {}
# Off the grid the post cell (iaf_psc_exp_ps in NEST) fires off the grid, and NEST's
# stdp_synapse sees that spike at its exact time and each pre spike at its step's end.
PRECISIONS = ["on_grid", "off_grid"]


def stdp_pair(simulator, dt_pairing, delay, weight_dependence="AdditiveWeightDependence",
              spike_precision="on_grid"):
    """The final weight of one protocol, from stdp_pairs() run once per simulator and
    spike precision."""
    if (simulator, spike_precision) not in _stdp_weights:
        _stdp_weights[simulator, spike_precision] = stdp_pairs(simulator, PROTOCOLS, spike_precision)
    return _stdp_weights[simulator, spike_precision][dt_pairing, delay, weight_dependence]


def assert_same_change(got, expected, start=0.5):
    """STDP: the weight change within 1% of NEST's (issue 10's tolerance)."""
    assert abs(expected - start) > 0.002, "the protocol should change the weight"
    assert abs((got - start) - (expected - start)) <= 0.01 * abs(expected - start), (got, expected)


@pytest.mark.parametrize("spike_precision", PRECISIONS)
@pytest.mark.parametrize("delay", PAIR_DELAYS)
@pytest.mark.parametrize("dt_pairing", PAIR_DT)
def test_stdp_pair_protocol(dt_pairing, delay, spike_precision):
    """Final weight after 60 pairings, the delay dendritic (PyNN's and NEST's default): the
    rule sees a post spike the delay after it was fired, and a potentiation shows in the
    weight at the synapse's next pre spike, as in NEST's stdp_synapse. Off the grid at -10
    ms and 0.1 ms the post cell's second spike of each pairing falls 0.03 ms before the pre
    spike reaches it, which therefore depresses (on the grid the two are simultaneous)."""
    assert_same_change(stdp_pair(pynn_gennc, dt_pairing, delay, spike_precision=spike_precision),
                       stdp_pair(nest_sim, dt_pairing, delay, spike_precision=spike_precision))


@pytest.mark.parametrize("spike_precision", PRECISIONS)
@pytest.mark.parametrize("weight_dependence", WEIGHT_DEPENDENCES)
@pytest.mark.parametrize("dt_pairing", WEIGHT_DT)
def test_stdp_weight_dependences(weight_dependence, dt_pairing, spike_precision):
    """The other weight dependences under the same protocol at 1 ms delay: within 1%."""
    assert_same_change(stdp_pair(pynn_gennc, dt_pairing, 1.0, weight_dependence, spike_precision),
                       stdp_pair(nest_sim, dt_pairing, 1.0, weight_dependence, spike_precision))
