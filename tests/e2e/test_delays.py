# A spike sent over a synapse of delay d arrives exactly d later.
#
# A source spike stamped at 10 ms reaches each cell at 10 ms + d, where d is the delay
# rounded to whole steps (halves up: 0.35 ms is 4 steps at dt = 0.1 ms, docs/runtime.md).
# The arrival is read from the receptor state: a current receptor's isyn jumps by the
# weight w at the arrival t_a and decays with tau_syn, so any sample after it gives
#     t_a = t + tau_syn ln(isyn(t) / w),
# and a delta synapse makes v jump by w at t_a, so t_a = t + tau_m ln((v(t) - v_rest) / w).
# Each arrival must match 10 ms + d within 1e-4 ms (float32 rounding of the state is
# worth well under 1e-5 ms here; one step off would be 0.1 ms), and nothing may arrive
# earlier: every sample up to t_a holds the resting value.
import numpy as np
import pytest

DT = 0.1
SPIKE = 10.0


def arrivals(times, trace, rest, weights, tau):
    """The arrival time of the jump in each column, from its first sample off rest."""
    result = []
    for k in range(trace.shape[1]):
        first = int(np.argmax(trace[:, k] != rest))
        assert trace[first, k] != rest, f"nothing arrived at column {k}"
        result.append(times[first] + tau * np.log((trace[first, k] - rest) / weights[k]))
    return np.array(result)


@pytest.fixture(scope="module")
def results(toolchain, tmp_path_factory):
    return toolchain.simulate("delays", tmp_path_factory.mktemp("delays") / "results")


def test_constant_delays(results):
    times, isyn, neurons = results.variable("const_post.excitatory.isyn")
    delays = np.array([0.1, 0.4, 2.3, 12.0, 1.0])[neurons]
    weights = np.array([1.0, 1.0, 1.0, 1.0, 0.5])[neurons]
    got = arrivals(times, isyn.astype(np.float64), 0.0, weights, 5.0)
    np.testing.assert_allclose(got, SPIKE + delays, rtol=0, atol=1e-4)


def test_delta_synapse_delays(results):
    times, v, neurons = results.variable("delta_post.v")
    delays = np.array([0.1, 1.5, 4.0])[neurons]
    got = arrivals(times, v.astype(np.float64), -65.0, np.full(len(neurons), 2.0), 20.0)
    np.testing.assert_allclose(got, SPIKE + delays, rtol=0, atol=1e-4)


def test_drawn_delays_are_whole_steps_within_bounds(results):
    times, isyn, _ = results.variable("drawn_post.excitatory.isyn")
    got = arrivals(times, isyn.astype(np.float64), 0.0, np.ones(isyn.shape[1]), 5.0) - SPIKE
    steps = np.rint(got / DT)
    np.testing.assert_allclose(got, steps * DT, rtol=0, atol=1e-4)
    # uniform(0.5 ms, 3 ms): 5 to 30 steps; 20 draws of 26 values are far from all equal.
    assert steps.min() >= 5 and steps.max() <= 30
    assert len(np.unique(steps)) >= 8


def test_delays_and_weights_from_a_connection_list(toolchain, tmp_path):
    results = toolchain.simulate("delays_list", tmp_path / "results")
    times, isyn, neurons = results.variable("post.excitatory.isyn")
    delays = np.array([0.1, 0.5, 1.0, 2.7, 0.4, 12.0])[neurons]
    weights = np.array([1.0, 0.5, 2.0, 1.0, 1.5, 1.0])[neurons]
    got = arrivals(times, isyn.astype(np.float64), 0.0, weights, 5.0)
    np.testing.assert_allclose(got, SPIKE + delays, rtol=0, atol=1e-4)
    # The weights are the list's: the sample at the arrival shows the whole jump w.
    first = np.argmax(isyn != 0, axis=0)
    np.testing.assert_allclose(isyn[first, np.arange(len(neurons))], weights, rtol=1e-6)
