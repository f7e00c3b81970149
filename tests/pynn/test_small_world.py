# PyNN's SmallWorldConnector, which PyNN 0.13 connects for no backend, connected by
# pynn_gennc as gennc's small_world connector (pynn_gennc/small_world.py): the edges are
# the pairs closer than `degree` (counted exactly on a grid), each moved with probability
# `rewiring` to a uniformly drawn post cell, never onto itself where self-connections are
# not allowed; synapse values are evaluated at the final pair. Statistical checks use
# binomial bounds of 5 standard deviations.
import numpy as np
import pytest
from pyNN.random import NumpyRNG
from pyNN.space import Grid2D

import pynn_gennc as sim
from pynn_gennc.random import NativeRNG


def grid(n):
    return sim.Population(n * n, sim.IF_curr_exp(), structure=Grid2D(dx=1.0, dy=1.0, fill_order="sequential"))


def local_pairs(cells, degree, self_allowed):
    xy = cells.positions[:2].T
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    near = d < degree
    if not self_allowed:
        np.fill_diagonal(near, False)
    return {(int(i), int(j)) for i, j in zip(*np.nonzero(near))}


def synapses(prj):
    return [(int(i), int(j)) for i, j, _ in prj.get("weight", format="list")]


def test_without_rewiring_the_local_edges_exactly():
    sim.setup(timestep=0.1, min_delay=0.1)
    cells = grid(4)
    for self_allowed in (True, False):
        prj = sim.Projection(cells, cells, sim.SmallWorldConnector(1.5, 0.0, allow_self_connections=self_allowed,
                                                                   rng=NumpyRNG(seed=1)),
                             sim.StaticSynapse(weight=0.1, delay=1.0))
        got = synapses(prj)
        # Corners reach 3 others, edges 5, the inner 4 cells 8: 84, and 16 more with themselves.
        assert len(got) == (100 if self_allowed else 84)
        assert set(got) == local_pairs(cells, 1.5, self_allowed)
    sim.run(5.0)
    sim.end()


def test_rewiring_moves_the_expected_share():
    sim.setup(timestep=0.1, min_delay=0.1)
    cells = grid(20)
    local = local_pairs(cells, 1.5, False)
    for rewiring in (0.3, 1.0):
        prj = sim.Projection(cells, cells, sim.SmallWorldConnector(1.5, rewiring, allow_self_connections=False,
                                                                   rng=NumpyRNG(seed=11)),
                             sim.StaticSynapse(weight=0.1, delay=1.0))
        got = synapses(prj)
        pre = np.array([i for i, _ in got])
        # Each edge stays with its pre cell: the out-degrees are the local ones.
        assert np.array_equal(np.bincount(pre, minlength=400),
                              np.bincount([i for i, _ in local], minlength=400))
        assert all(i != j for i, j in got)
        n = len(got)
        # A moved edge lands on a local pair again with probability about 8/399.
        kept_local = sum((i, j) in local for i, j in got)
        expected = n * ((1 - rewiring) + rewiring * 8 / 399)
        sd = np.sqrt(n * rewiring * (1 - rewiring) + n * rewiring * 8 / 399)
        assert abs(kept_local - expected) < 5 * sd + 1, (kept_local, expected, sd)
        if rewiring == 1.0:
            # Uniform over the other cells: each post cell receives about n / 400.
            received = np.bincount([j for _, j in got], minlength=400)
            assert received.max() < n / 400 + 5 * np.sqrt(n / 400) + 1
    sim.end()


def test_values_are_evaluated_at_the_final_pair():
    sim.setup(timestep=0.1, min_delay=0.1)
    cells = grid(6)
    prj = sim.Projection(cells, cells, sim.SmallWorldConnector(1.5, 0.5, allow_self_connections=False,
                                                               rng=NumpyRNG(seed=5)),
                         sim.StaticSynapse(weight="0.01 * d", delay=1.0))
    xy = cells.positions[:2].T
    for i, j, w in prj.get("weight", format="list"):
        assert w == pytest.approx(0.01 * np.hypot(*(xy[int(i)] - xy[int(j)])), rel=1e-12)
    sim.run(5.0)
    sim.end()


def test_native_rng_and_n_connections_refused():
    sim.setup(timestep=0.1, min_delay=0.1)
    cells = grid(3)
    with pytest.raises(NotImplementedError, match="SmallWorldConnector"):
        sim.Projection(cells, cells, sim.SmallWorldConnector(1.5, 0.1, rng=NativeRNG(seed=1)), sim.StaticSynapse())
    with pytest.raises(NotImplementedError, match="n_connections"):
        sim.Projection(cells, cells, sim.SmallWorldConnector(1.5, 0.1, n_connections=3, rng=NumpyRNG(seed=1)),
                       sim.StaticSynapse())
    sim.end()
