# Precise IF_curr_exp cells (networks/precise_lif.gdsl) against the closed-form solution.
#
# Below threshold the cell obeys dv/dt = (v_rest - v) / tau_m + (I + i_syn) / cm. Under a
# constant current I it relaxes towards v_inf = v_rest + I tau_m / cm and, from v_0,
# reaches v_thresh after T = tau_m ln((v_inf - v_0) / (v_inf - v_thresh)): a precise cell
# fires at that time, not at the end of its step, is held at v_reset for exactly
# tau_refrac, and starts the next interval there. A current-based exponential synapse
# adds w A (exp(-u / tau_syn) - exp(-u / tau_m)), A = tau_m tau_syn / (cm (tau_syn -
# tau_m)), u after the spike's arrival; the crossing time of that sum is found here by
# bisection. In float64 the simulated times agree with these to 1e-9 ms and the sampled v
# to 1e-9 mV.
import math

import numpy as np
import pytest

DT = 0.1
DURATION = 200.0


def dc_spikes(v0, v_rest, v_reset, v_thresh, tau_m, cm, current, tau_refrac, t_on, t_off):
    v_inf = v_rest + current * tau_m / cm
    spikes, t, v = [], t_on, v0
    while True:
        t_spike = t + tau_m * math.log((v_inf - v) / (v_inf - v_thresh))
        if t_spike > t_off:
            return np.array(spikes)
        spikes.append(t_spike)
        t, v = t_spike + tau_refrac, v_reset


OFFSET = [dict(v0=-65.0, v_rest=-65.0, v_reset=-70.0, v_thresh=-50.0, tau_m=20.0, cm=1.0, current=i,
               tau_refrac=2.0, t_on=0.0, t_off=DURATION) for i in (1.2, 2.1, 3.5)]
DRIVEN = dict(v0=-65.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, tau_m=12.0, cm=0.25, current=1.0,
              tau_refrac=5.0, t_on=50.0, t_off=145.0)

# psp: at rest at -51 mV; arrivals = spike times + the 1 ms delay.
PSP = dict(v_inf=-51.0, tau_m=20.0, tau_syn=5.0, cm=1.0, v_thresh=-50.0)
ARRIVALS = [([11.037], 0.5), ([21.013, 21.088], 0.3)]


def psp_v(times, arrivals, w):
    a = PSP["tau_m"] * PSP["tau_syn"] / (PSP["cm"] * (PSP["tau_syn"] - PSP["tau_m"]))
    v = np.full(len(times), PSP["v_inf"])
    for t_a in arrivals:
        u = np.clip(times - t_a, 0.0, None)
        v += w * a * (np.exp(-u / PSP["tau_syn"]) - np.exp(-u / PSP["tau_m"]))
    return v


def psp_crossing(arrivals, w):
    # The first crossing lies between the arrival and the peak, about 9 ms after it.
    low = arrivals[-1]
    high = low + 9.0
    assert psp_v(np.array([high]), arrivals, w)[0] > PSP["v_thresh"]
    for _ in range(200):
        mid = 0.5 * (low + high)
        if psp_v(np.array([mid]), arrivals, w)[0] >= PSP["v_thresh"]:
            high = mid
        else:
            low = mid
    return high


@pytest.fixture(scope="module")
def results(toolchain, tmp_path_factory):
    out = tmp_path_factory.mktemp("precise_lif") / "results"
    return toolchain.simulate("precise_lif", out, flags=("--float64",))


def test_dc_spike_times_off_the_grid(results):
    trains = results.spike_trains("offset")
    for k, cell in enumerate(OFFSET):
        expected = dc_spikes(**cell)
        assert len(expected) >= 3
        assert len(trains[k]) == len(expected), (k, trains[k], expected)
        np.testing.assert_allclose(trains[k], expected, rtol=0, atol=1e-9)
    # Off the grid indeed: not all multiples of dt.
    assert any(abs(t / DT - round(t / DT)) > 1e-3 for t in trains[0])


def test_dc_source_spike_times(results):
    trains = results.spike_trains("driven")
    expected = dc_spikes(**DRIVEN)
    assert len(expected) >= 3
    assert len(trains[0]) == len(expected), (trains[0], expected)
    np.testing.assert_allclose(trains[0], expected, rtol=0, atol=1e-9)


def test_off_grid_input_crossing_time(results):
    trains = results.spike_trains("psp")
    for k, (arrivals, w) in enumerate(ARRIVALS):
        expected = psp_crossing(arrivals, w)
        assert len(trains[k]) == 1, (k, trains[k])
        assert abs(trains[k][0] - expected) < 1e-9, (k, trains[k], expected)


def test_off_grid_input_membrane_potential(results):
    times, v, neurons = results.variable("psp.v")
    for column, k in enumerate(neurons):
        arrivals, w = ARRIVALS[k]
        stop = psp_crossing(arrivals, w)
        expected = psp_v(times, arrivals, w)
        before = times < stop - 1e-9
        error = np.abs(v[before, column] - expected[before])
        assert error.max() < 1e-9, (k, times[before][int(np.argmax(error))], error.max())
