# The postsynaptic potential of one input spike matches its closed form.
#
# A spike of weight w reaching a current-based cell at t_a starts a synaptic current
#   exponential: I(s) = w exp(-s / tau_s)
#   alpha:       I(s) = w (s / tau_s) exp(1 - s / tau_s)             (peak w at s = tau_s)
# with s = t - t_a (the sample taken at t_a already shows the jump, as NEST records it: a
# spike is added at the end of the step it arrives in), and the membrane,
# cm dv/dt = cm (v_rest - v) / tau_m + I, answers with
#   exponential: v - v_rest = w / cm * tau_m tau_s / (tau_m - tau_s) (exp(-s/tau_m) - exp(-s/tau_s))
#   alpha:       v - v_rest = w e / (cm tau_s) exp(-s / tau_m) (1 - exp(-a s) (1 + a s)) / a^2,
#                a = 1 / tau_s - 1 / tau_m.
# The cells are linear below threshold, so the excitatory and inhibitory responses add.
# Input spikes leave their sources at 10 ms and 60 ms and arrive 1 ms later (the delay).
# The compiler integrates these linear systems exactly, so every sample equals the
# closed form to rounding: within 1e-4 mV (v) and 1e-6 nA (currents) in float32, 1e-9 in
# float64.
import math

import numpy as np
import pytest

ARRIVALS = {"excitatory": (11.0, 1.0), "inhibitory": (61.0, -0.6)}  # (arrival ms, weight nA)
CELLS = {
    "exp_cell": dict(kernel="exp", cm=1.0, tau_m=20.0, v_rest=-65.0,
                     tau_syn={"excitatory": 5.0, "inhibitory": 10.0}),
    "alpha_cell": dict(kernel="alpha", cm=0.5, tau_m=15.0, v_rest=-70.0,
                       tau_syn={"excitatory": 2.0, "inhibitory": 4.0}),
}
TOLERANCE = {"float32": {"v": 1e-4, "isyn": 1e-6}, "float64": {"v": 1e-9, "isyn": 1e-12}}


def current(kernel, w, tau_s, s):
    arrived = s > -1e-9
    s = np.maximum(s, 0.0)
    if kernel == "exp":
        return np.where(arrived, w * np.exp(-s / tau_s), 0.0)
    return w * (s / tau_s) * np.exp(1.0 - s / tau_s)


def psp(kernel, w, tau_s, tau_m, cm, s):
    s = np.maximum(s, 0.0)
    if kernel == "exp":
        return w / cm * tau_m * tau_s / (tau_m - tau_s) * (np.exp(-s / tau_m) - np.exp(-s / tau_s))
    a = 1.0 / tau_s - 1.0 / tau_m
    return w * math.e / (cm * tau_s) * np.exp(-s / tau_m) * (1.0 - np.exp(-a * s) * (1.0 + a * s)) / a**2


@pytest.fixture(scope="module", params=["float32", "float64"])
def results(request, toolchain, tmp_path_factory):
    flags = ("--float64",) if request.param == "float64" else ("--float32",)
    out = tmp_path_factory.mktemp("psp") / "results"
    return request.param, toolchain.simulate("psp", out, flags=flags)


@pytest.mark.parametrize("population", sorted(CELLS))
def test_membrane_potential_is_the_psp_kernel(results, population):
    precision, res = results
    cell = CELLS[population]
    times, v, _ = res.variable(population + ".v")
    expected = np.full(len(times), cell["v_rest"])
    for receptor, (arrival, w) in ARRIVALS.items():
        expected += psp(cell["kernel"], w, cell["tau_syn"][receptor], cell["tau_m"], cell["cm"],
                        times - arrival)
    error = np.abs(v[:, 0].astype(np.float64) - expected)
    worst = int(np.argmax(error))
    assert error[worst] < TOLERANCE[precision]["v"], (
        f"at {times[worst]} ms: {v[worst, 0]} mV, closed form {expected[worst]} mV")
    # The responses are real: an excitatory bump of more than 1 mV, then an inhibitory dip.
    assert expected.max() - cell["v_rest"] > 1.0 and expected.min() - cell["v_rest"] < -0.5


@pytest.mark.parametrize("population, receptor", [("exp_cell", "excitatory"),
                                                  ("exp_cell", "inhibitory"),
                                                  ("alpha_cell", "excitatory")])
def test_synaptic_current_is_the_kernel(results, population, receptor):
    precision, res = results
    cell = CELLS[population]
    arrival, w = ARRIVALS[receptor]
    times, isyn, _ = res.variable(f"{population}.{receptor}.isyn")
    expected = current(cell["kernel"], w, cell["tau_syn"][receptor], times - arrival)
    np.testing.assert_allclose(isyn[:, 0], expected, rtol=0, atol=TOLERANCE[precision]["isyn"])
    # Nothing before the arrival; the jump in the sample at the arrival time.
    assert np.all(isyn[times < arrival - 1e-9, 0] == 0)
    if cell["kernel"] == "exp":
        assert isyn[np.argmin(np.abs(times - arrival)), 0] == pytest.approx(w)
