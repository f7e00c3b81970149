# pynn_gennc draws PyNN's FixedProbabilityConnector many columns at a time
# (pynn_gennc/bulk_connect.py). The synapses must be exactly those of PyNN's own loop over
# the postsynaptic cells, which pyNN.nest runs too: the same pre and post positions in the
# same order, the same values, and the connector's generator left as PyNN leaves it, also
# when they are drawn later than PyNN's loop draws them (at the first run()).
import time

import numpy as np
import pytest
from pyNN.random import NumpyRNG, RandomDistribution

import pynn_gennc as sim
from pynn_gennc import projections

real_bulk = projections.fixed_probability_in_bulk


def synapses(bulk, seed):
    """Every projection's synapses for one seed, through the bulk draw or PyNN's loop."""
    projections.fixed_probability_in_bulk = real_bulk if bulk else (lambda connector, projection: None)
    try:
        sim.setup(timestep=0.1, min_delay=0.1)
        a = sim.Population(300, sim.IF_curr_exp(), label="a")
        b = sim.Population(170, sim.IF_curr_exp(), label="b")
        rng = NumpyRNG(seed=seed)
        # Self-connections allowed and not, between populations, views, strided views and
        # assemblies on either side; one connector object shared by two projections.
        shared = sim.FixedProbabilityConnector(0.05, allow_self_connections=False, rng=rng)
        cases = [(a, a, True), (a, a, False), (a, b, False), (a[10:200], a, False),
                 (a[::3], a[5:150], False), (sim.Assembly(a, b), a, False),
                 (b, sim.Assembly(b, a), True)]
        # The receptor is named: PyNN's default for an Assembly may be either, by set order.
        made = [sim.Projection(pre, post, sim.FixedProbabilityConnector(0.07, allow_self_connections=own,
                                                                          rng=rng),
                               sim.StaticSynapse(weight=0.5, delay=0.3), receptor_type="excitatory")
                for pre, post, own in cases]
        made += [sim.Projection(a, a, shared, sim.StaticSynapse(weight=w, delay=0.2), receptor_type="excitatory")
                 for w in (0.1, 0.2)]
        made.append(sim.Projection(a, b, sim.FixedProbabilityConnector(0.0, rng=rng), sim.StaticSynapse(),
                                   receptor_type="excitatory"))
        # The script draws from the generator before anything reads the synapses, which
        # the bulk draw makes only then: they must be those fixed when each was made.
        if bulk:  # all but the projections from or onto an Assembly wait
            assert ["_pending" in p.__dict__ for p in made] == [True] * 5 + [False] * 2 + [True] * 3
        drawn_meanwhile = rng.next(1000)
        out = [(p._pre.copy(), p._post.copy(), {k: v.copy() for k, v in p._values.items()}) for p in made]
        return out, np.concatenate([drawn_meanwhile, rng.next(4)])
    finally:
        projections.fixed_probability_in_bulk = real_bulk
        sim.end()


@pytest.mark.parametrize("seed", [1, 2, 98765])
def test_bulk_draw_makes_pynn_synapses(seed):
    bulk, after_bulk = synapses(True, seed)
    loop, after_loop = synapses(False, seed)
    assert sum(len(pre) for pre, _, _ in bulk) > 20000
    for k, ((pre_b, post_b, values_b), (pre_l, post_l, values_l)) in enumerate(zip(bulk, loop)):
        assert np.array_equal(pre_b, pre_l) and np.array_equal(post_b, post_l), f"projection {k}"
        assert values_b.keys() == values_l.keys(), f"projection {k}"
        for name in values_b:
            assert np.array_equal(values_b[name], values_l[name]), f"projection {k}, {name}"
    # PyNN draws from a copy of the connector's generator, which never advances.
    np.testing.assert_array_equal(after_bulk, after_loop)


def test_bulk_draw_leaves_other_connectors_to_pynn():
    """Random weights, a callback or 'NoMutual' keep PyNN's own loop."""
    sim.setup(timestep=0.1, min_delay=0.1)
    try:
        a = sim.Population(20, sim.IF_curr_exp())
        rng = NumpyRNG(seed=3)
        random_weight = sim.StaticSynapse(weight=RandomDistribution("uniform", (0.1, 0.2), rng=rng))
        calls = []
        for connector, synapse in [
                (sim.FixedProbabilityConnector(0.5, rng=rng), random_weight),
                (sim.FixedProbabilityConnector(0.5, rng=rng, callback=calls.append), sim.StaticSynapse()),
                (sim.FixedProbabilityConnector(0.5, allow_self_connections="NoMutual", rng=rng),
                 sim.StaticSynapse())]:
            assert real_bulk(connector, sim.Projection(a, a, connector, synapse, receptor_type="excitatory")) is None
        assert calls, "the callback was not called by PyNN's loop"
    finally:
        sim.end()


def test_failure_while_drawing_stops_the_compile(tmp_path, monkeypatch):
    """The first run() draws while gennc compiles: if the draw fails, gennc is stopped and
    its partial library removed, and the error reaches the script."""
    from pynn_gennc import gdsl

    monkeypatch.setenv("GENNC_CACHE_DIR", str(tmp_path))

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(gdsl.Written, "draw_connections", interrupted)
    sim.setup(timestep=0.1, min_delay=0.1)
    try:
        a = sim.Population(50, sim.IF_curr_exp())
        sim.Projection(a, a, sim.FixedProbabilityConnector(0.1, rng=NumpyRNG(seed=1)), sim.StaticSynapse(),
                       receptor_type="excitatory")
        with pytest.raises(KeyboardInterrupt):
            sim.run(1.0)
    finally:
        sim.end()
    time.sleep(1.0)  # a gennc left running would have written its library by now
    assert list(tmp_path.glob("*/*.so*")) == []


@pytest.mark.parametrize("repeats", [False, True])
def test_runtime_order_is_lexsorts(repeats):
    # The one-key sort of the stored synapses gives lexsort's order by (pair, pre, post),
    # including the arrival order of a repeated pair (multapses: their values differ).
    rng = np.random.default_rng(7)
    n = 20000
    pair, pre, post = rng.integers(0, 4, n), rng.integers(0, 300, n), rng.integers(0, 170, n)
    if not repeats:
        key = np.unique((pair * 300 + pre) * 170 + post)
        pair, rest = np.divmod(rng.permutation(key), 300 * 170)
        pre, post = np.divmod(rest, 170)
    else:
        assert len(np.unique((pair * 300 + pre) * 170 + post)) < n
    expected = np.lexsort((post, pre, pair))
    assert np.array_equal(projections.runtime_order(pair, pre, post), expected)
