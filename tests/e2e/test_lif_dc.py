# A leaky integrate-and-fire cell under constant current fires at times theory fixes.
#
# IF_curr_exp below threshold obeys cm dv/dt = cm (v_rest - v) / tau_m + I, so from v_0 at
# t_0 it follows v(t) = v_inf + (v_0 - v_inf) exp(-(t - t_0) / tau_m), v_inf = v_rest +
# I tau_m / cm, and reaches v_thresh after
#     T = tau_m ln((v_inf - v_0) / (v_inf - v_thresh)).
# A time-driven simulator tests the threshold at the end of each step: the spike is
# stamped at the end of the step in which v crosses, t_0 + ceil(T / dt) dt, and v is
# reset there. It is then held at v_reset for tau_refrac (a whole number of steps) and
# the next interval starts from v_reset, so each following spike comes
# ceil(T_reset / dt) dt + tau_refrac later. With exact integration the simulated v at
# every step boundary is the closed form rounded to the working precision, so:
# - spike times equal the grid times above exactly (to 1e-9 ms: both are multiples of
#   dt computed in float64);
# - the recorded v matches the closed form within 1e-9 mV in float64 and 1e-4 mV in
#   float32 (13 float32 ulps at 65 mV), at every 0.1 ms sample.
import math

import numpy as np
import pytest

DT = 0.1
TOLERANCE_MV = {"float32": 1e-4, "float64": 1e-9}


def closed_form(v0, v_rest, v_reset, v_thresh, tau_m, cm, current, tau_refrac, t_on, t_off,
                duration):
    """Grid spike times and a function giving v at any time, for a cell at v0 that
    receives `current` during [t_on, t_off)."""
    v_inf = v_rest + current * tau_m / cm
    refractory_steps = round(tau_refrac / DT)
    # Segments (t_start, t_end, v at t_start, v_target): v relaxes towards v_target.
    segments = [(0.0, t_on, v0, v_rest)]
    spikes = []
    t_start, v_start = t_on, v0
    while v_inf > v_thresh:
        steps = (tau_m * math.log((v_inf - v_start) / (v_inf - v_thresh))) / DT
        # A crossing too close to a step boundary would make the grid time ill-defined.
        assert abs(steps - round(steps)) > 1e-3, "choose parameters away from the grid"
        t_spike = t_start + math.ceil(steps) * DT
        if t_spike > t_off + 1e-9:
            break
        segments.append((t_start, t_spike, v_start, v_inf))
        segments.append((t_spike, t_spike + refractory_steps * DT, v_reset, v_reset))
        spikes.append(t_spike)
        t_start, v_start = t_spike + refractory_steps * DT, v_reset
    assert t_start <= t_off, "the current must not stop within a refractory period"
    segments.append((t_start, t_off, v_start, v_inf))
    v_off = v_inf + (v_start - v_inf) * math.exp(-(t_off - t_start) / tau_m)
    segments.append((t_off, duration + DT, v_off, v_rest))

    def v_at(times):
        v = np.full(len(times), np.nan)
        for t0, t1, va, target in segments:
            # A sample at a segment's end belongs to the next segment (the reset value).
            inside = (times >= t0 - 1e-9) & (times < t1 - 1e-9)
            v[inside] = target + (va - target) * np.exp(-(times[inside] - t0) / tau_m)
        return v

    return np.array(spikes), v_at


CELLS = {
    # population: (neuron, parameters); current on during [t_on, t_off)
    "offset": [dict(v0=-65.0, v_rest=-65.0, v_reset=-70.0, v_thresh=-50.0, tau_m=20.0, cm=1.0,
                    current=i, tau_refrac=2.0, t_on=0.0, t_off=400.0, duration=400.0)
               for i in (0.8, 1.2, 2.1, 3.5)],
    "driven": [dict(v0=-65.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, tau_m=12.0, cm=0.25,
                    current=1.0, tau_refrac=5.0, t_on=50.0, t_off=345.0, duration=400.0)] * 2,
}


@pytest.fixture(scope="module", params=["float32", "float64"])
def results(request, toolchain, tmp_path_factory):
    flags = ("--float64",) if request.param == "float64" else ("--float32",)
    out = tmp_path_factory.mktemp("lif_dc") / "results"
    return request.param, toolchain.simulate("lif_dc", out, flags=flags)


@pytest.mark.parametrize("population", sorted(CELLS))
def test_spike_times_on_the_grid(results, population):
    _, res = results
    trains = res.spike_trains(population)
    for k, cell in enumerate(CELLS[population]):
        expected, _ = closed_form(**cell)
        assert len(expected) >= 3
        assert len(trains[k]) == len(expected), f"{population}[{k}]: {trains[k]} vs {expected}"
        np.testing.assert_allclose(trains[k], expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("population", sorted(CELLS))
def test_membrane_potential_follows_closed_form(results, population):
    precision, res = results
    times, v, neurons = res.variable(population + ".v")
    assert v.dtype == np.dtype(precision)
    np.testing.assert_allclose(times, np.arange(len(times)) * DT, rtol=0, atol=1e-9)
    for column, k in enumerate(neurons):
        _, v_at = closed_form(**CELLS[population][k])
        expected = v_at(times)
        error = np.abs(v[:, column].astype(np.float64) - expected)
        worst = int(np.argmax(error))
        assert error[worst] < TOLERANCE_MV[precision], (
            f"{population}[{k}] at {times[worst]} ms: {v[worst, column]} vs {expected[worst]}")
