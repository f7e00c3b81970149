# `gennc --runtime-parameters`: each uniform parameter stays one settable scalar array
# (named as the per-element array would be), so that gennc_set_array changes it between
# runs, as PyNN's `pop.set(tau_m=15.0)` does.
#
# - p.tau_m, d2p.weight (a static projection stored as a bitmask), b2c.U (Tsodyks-Markram),
#   learn.timing_rule.tau_plus (STDP), DCSource0.amplitude and bursts.rate are scalar
#   parameter arrays of one element; bursts.hazard (derived from rate and tau_refrac),
#   p's exact-integration propagators and those of the STDP traces are scalar derived
#   arrays.
# - In float64, the network gives the same spikes with and without the option.
# - reset, set one parameter (or several), run: exactly (bitwise) the spikes and state of
#   a fresh simulation of the network compiled with those values.
import ctypes

import numpy as np
import pytest

from e2e_support import ArrayDesc, Simulation

STEPS = 3000
THREADS = 2
SCALAR, PARAMETER, DERIVED = 0, 1 << 1, 1 << 2


@pytest.fixture(scope="module")
def source(toolchain):
    return toolchain.source("runtime_parameters").read_text()


def build(toolchain, tmp_path_factory, text, *flags):
    """The network `text` compiled with --shared --float64 and `flags`, loaded; each build
    in a folder of its own (a library loaded twice from one path would be the first)."""
    path = tmp_path_factory.mktemp("network") / "runtime_parameters.gdsl"
    path.write_text(text)
    return ctypes.CDLL(str(toolchain.compile(path, "--shared", "--float64", *flags, output=path.with_suffix(".so"))))


def run(library, settings=None, reset_first=False):
    """Spikes of p and c and the final potentials; with `settings` (name: value), the
    network runs once, is reset, takes the values and runs again."""
    sim = Simulation(library, THREADS)
    if settings:
        if reset_first:
            sim.run(STEPS)
            sim.reset()
        for name, value in settings.items():
            sim.set_array(name, [value])
    sim.run(STEPS)
    out = {p: sim.spikes(p + ".spikes") for p in ("p", "c")}
    for name in STATE:
        out[name] = sim.array(name)
    sim.close()
    return out


STATE = ("p.v", "c.v", "learn.weight", "learn.x_pre", "b2c.x")


def assert_same(a, b):
    for p in ("p", "c"):
        np.testing.assert_array_equal(a[p][0], b[p][0], err_msg=p)
        np.testing.assert_array_equal(a[p][1], b[p][1], err_msg=p)
    for name in STATE:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@pytest.fixture(scope="module")
def settable(toolchain, tmp_path_factory, source):
    return build(toolchain, tmp_path_factory, source, "--runtime-parameters")


def test_uniform_parameters_are_scalar_arrays(settable):
    sim = Simulation(settable, THREADS)
    for name, flag, value in [("p.tau_m", PARAMETER, 20.0), ("d2p.weight", PARAMETER, 0.4),
                              ("b2c.U", PARAMETER, 0.4), ("DCSource0.amplitude", PARAMETER, 0.6),
                              ("learn.timing_rule.tau_plus", PARAMETER, 20.0),
                              ("learn.weight_rule.w_max", PARAMETER, 0.8),
                              ("bursts.rate", PARAMETER, 0.06), ("p.v_thresh", PARAMETER, -50.0),
                              ("bursts.hazard", DERIVED, 0.06 / (1 - 0.06 * 3)),
                              ("p.propagator0.E_v_v", DERIVED, np.expm1(-0.1 / 20)),
                              ("learn.propagator1.E_x_pre_x_pre", DERIVED, np.expm1(-0.1 / 20))]:
        desc = ArrayDesc()
        sim.check(settable.gennc_array_info(sim.handle, name.encode(), ctypes.byref(desc)))
        assert (desc.scope, desc.length, desc.flags) == (SCALAR, 1, flag), name
        assert sim.array(name)[0] == pytest.approx(value, rel=1e-14), name
    # Per-element values stay per element.
    assert sim.array_length("p.v") == 20
    sim.close()


def test_the_option_changes_no_spike(toolchain, tmp_path_factory, source, settable):
    constants = build(toolchain, tmp_path_factory, source)
    a, b = run(settable), run(constants)
    for p in ("p", "c"):
        assert len(a[p][0]) > 50, p
        np.testing.assert_array_equal(a[p][0], b[p][0], err_msg=p)
        np.testing.assert_array_equal(a[p][1], b[p][1], err_msg=p)
    for name in STATE:
        np.testing.assert_allclose(a[name], b[name], rtol=0, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("settings, edits", [
    ({"p.tau_m": 15.0}, [("tau_m = 20 ms", "tau_m = 15 ms")]),
    ({"d2p.weight": 0.55}, [("weight = 0.4 nA", "weight = 0.55 nA")]),
    ({"DCSource0.amplitude": 0.45}, [("amplitude = 0.6 nA", "amplitude = 0.45 nA")]),
    ({"b2c.U": 0.7, "bursts.rate": 0.09}, [("U = 0.4", "U = 0.7"), ("rate = 60 Hz", "rate = 90 Hz")]),
    ({"learn.timing_rule.tau_plus": 10.0}, [("tau_plus = 20 ms", "tau_plus = 10 ms")]),
])
def test_setting_parameters_equals_compiling_them(toolchain, tmp_path_factory, source, settable, settings, edits):
    text = source
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    fresh = run(build(toolchain, tmp_path_factory, text, "--runtime-parameters"))
    changed = run(settable, settings, reset_first=True)
    assert_same(changed, fresh)
    assert_same(run(settable, settings), fresh)  # set before the first run
    before = run(settable)
    assert any(not np.array_equal(before[name], fresh[name]) for name in STATE), "the change must matter"
