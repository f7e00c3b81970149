# Precise spike sources (networks/precise_source.gdsl): a SpikeSourceArray `as precise`
# records each spike at the time it was given, two times of one step included, and grid
# cells take its spikes at their arrival step, so they behave exactly as the cells driven
# by the same source on the grid. With two threads the spike list is sorted after the
# update, its times moving with their entries.

import numpy as np
import pytest

TIMES = [[1.04, 2.55, 10.01, 30.0], [0.149, 0.151, 20.075], []]
DT = 0.1


@pytest.fixture(scope="module", params=[1, 2], ids=["1-thread", "2-threads"])
def results(request, toolchain, tmp_path_factory):
    out = tmp_path_factory.mktemp("precise_source") / "results"
    return toolchain.simulate("precise_source", out, threads=request.param)


def test_exact_times_recorded(results):
    trains = results.spike_trains("exact")
    for train, given in zip(trains, TIMES):
        assert np.array_equal(train, np.array(given)), (train, given)


def test_grid_times_are_step_ends(results):
    trains = results.spike_trains("stepped")
    for train, given in zip(trains, TIMES):
        expected = np.ceil(np.round(np.array(given) / DT, 6)) * DT
        assert np.allclose(train, expected, rtol=0, atol=1e-9), (train, expected)


def test_grid_cells_receive_at_arrival_step(results):
    _, exact_v, _ = results.variable("exact_cells.v")
    _, stepped_v, _ = results.variable("stepped_cells.v")
    assert exact_v.max() > exact_v.min()
    assert np.array_equal(exact_v, stepped_v)

