# IF_cond_exp under a few input spikes agrees with an independent fine-step integration.
#
# The cell obeys cm dv/dt = cm (v_rest - v) / tau_m + g_e (e_rev_E - v) + g_i (e_rev_I - v),
# with conductances that jump by the weight when a spike arrives and decay exponentially,
# so g_e and g_i are known in closed form and only v needs integrating. The reference
# integrates v with classic RK4 at h = dt / 20 between the step boundaries (where the
# conductances jump and the threshold is tested, as in the simulator: spike stamped at the
# end of the step in which v crosses, v reset and held for tau_refrac while g decays). Its
# own error is checked by halving h: the two agree within 1e-7 mV. gennc integrates the
# same system with RK4 at dt = 0.1 ms in float32; its v must stay within 0.01 mV of the
# reference at every sample, its conductances within 1e-6 uS, and its spike times must be
# the reference's exactly. So must a build with --fast-math (at -O3, so that the AVX-512
# entries run where the CPU has them), whose arithmetic LLVM may reassociate.
import numpy as np
import pytest

DT = 0.1
TOLERANCE_MV = 0.01

INPUTS = {"exc": [20.0, 22.0, 24.0, 26.0, 28.0, 30.0], "inh": [50.0, 52.0, 54.0]}
CELLS = {
    "quiet": dict(cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_e=5.0, tau_i=5.0, e_e=0.0, e_i=-70.0,
                  v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, w_e=0.01, w_i=0.02, delay=1.0),
    "firing": dict(cm=0.5, tau_m=15.0, tau_refrac=2.0, tau_e=3.0, tau_i=10.0, e_e=0.0, e_i=-80.0,
                   v_rest=-60.0, v_reset=-62.0, v_thresh=-55.0, w_e=0.03, w_i=0.05, delay=1.5),
}


def conductance(times, arrivals, w, tau, with_arrivals_at_t):
    """g at `times`, the jumps of arrivals at exactly t included or not. A recorded sample
    at t holds the state at the end of the step ending at t, with the spikes arriving at t
    added (NEST adds them at the end of that step too)."""
    g = np.zeros_like(times)
    for a in arrivals:
        late = times >= a - 1e-9 if with_arrivals_at_t else times > a + 1e-9
        g[late] += w * np.exp(-(times[late] - a) / tau)
    return g


def reference(cell, duration, substeps):
    """v at every step boundary and the spike times, by RK4 with dt / substeps."""
    c = cell
    steps = round(duration / DT)
    refractory_steps = round(c["tau_refrac"] / DT)
    h = DT / substeps
    # The conductances at the start of each step, after that step's arrivals.
    starts = np.arange(steps) * DT
    g_e = conductance(starts, [t + c["delay"] for t in INPUTS["exc"]], c["w_e"], c["tau_e"], True)
    g_i = conductance(starts, [t + c["delay"] for t in INPUTS["inh"]], c["w_i"], c["tau_i"], True)

    def dv(s, v, ge0, gi0):
        # s: time since the step's start.
        ge = ge0 * np.exp(-s / c["tau_e"])
        gi = gi0 * np.exp(-s / c["tau_i"])
        return (c["v_rest"] - v) / c["tau_m"] + (ge * (c["e_e"] - v) + gi * (c["e_i"] - v)) / c["cm"]

    v = c["v_rest"]
    trace, spikes, refractory = [v], [], 0
    for n in range(steps):
        if refractory:
            refractory -= 1
        else:
            ge0, gi0 = float(g_e[n]), float(g_i[n])
            for k in range(substeps):
                s = k * h
                k1 = dv(s, v, ge0, gi0)
                k2 = dv(s + h / 2, v + h / 2 * k1, ge0, gi0)
                k3 = dv(s + h / 2, v + h / 2 * k2, ge0, gi0)
                k4 = dv(s + h, v + h * k3, ge0, gi0)
                v += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            # A crossing this close to the threshold would make the step ambiguous.
            assert abs(v - c["v_thresh"]) > 1e-3
            if v >= c["v_thresh"]:
                spikes.append((n + 1) * DT)
                v = c["v_reset"]
                refractory = refractory_steps
        trace.append(v)
    return np.array(trace), np.array(spikes)


@pytest.fixture(scope="module", params=[(), ("--fast-math", "-O3")], ids=["default", "fast_math"])
def results(toolchain, tmp_path_factory, request):
    return toolchain.simulate("cond_exp", tmp_path_factory.mktemp("cond_exp") / "results", flags=request.param)


@pytest.fixture(scope="module")
def references(results):
    duration = results.manifest["duration"]
    refs = {}
    for name, cell in CELLS.items():
        fine, spikes = reference(cell, duration, 20)
        finer, spikes_finer = reference(cell, duration, 40)
        assert np.max(np.abs(fine - finer)) < 1e-7 and np.array_equal(spikes, spikes_finer)
        refs[name] = (fine, spikes)
    return refs


@pytest.mark.parametrize("population", sorted(CELLS))
def test_membrane_potential_matches_reference(results, references, population):
    times, v, _ = results.variable(population + ".v")
    expected, _ = references[population]
    error = np.abs(v[:, 0].astype(np.float64) - expected)
    worst = int(np.argmax(error))
    assert error[worst] < TOLERANCE_MV, (
        f"at {times[worst]} ms: {v[worst, 0]} mV, reference {expected[worst]} mV")


@pytest.mark.parametrize("population", sorted(CELLS))
def test_spike_times_match_reference(results, references, population):
    _, expected = references[population]
    _, times = results.spikes(population)
    np.testing.assert_allclose(times, expected, rtol=0, atol=1e-9)
    # The firing cell really fires, several times; the quiet one never does.
    assert len(expected) >= 3 if population == "firing" else len(expected) == 0


@pytest.mark.parametrize("population, receptor, input_, tau, w",
                         [("quiet", "excitatory", "exc", 5.0, 0.01),
                          ("firing", "inhibitory", "inh", 10.0, 0.05)])
def test_conductance_decays_exponentially(results, population, receptor, input_, tau, w):
    times, g, _ = results.variable(f"{population}.{receptor}.gsyn")
    arrivals = [t + CELLS[population]["delay"] for t in INPUTS[input_]]
    np.testing.assert_allclose(g[:, 0], conductance(times, arrivals, w, tau, True),
                               rtol=0, atol=1e-6)
