# Spike multiplicity: a SpikeSourcePoisson at rate * dt = 4 emits poisson(rate dt) spikes
# per step, which are recorded and delivered one by one (networks/multiplicity.gdsl).
#
# Rate: 20 sources x 10000 steps x 4 = 800000 expected spikes; the count is Poisson, so
# within 5 standard deviations (0.3%) of it. Per (source, step) the counts are poisson(4):
# their variance is their mean, and steps with several spikes are common.
#
# Mean input (Campbell's theorem): a static synapse of weight w driven at `rate` into an
# exponential current of time constant tau_syn gives a mean current rate * w * tau_syn =
# 0.2 nA, and the free membrane rises by mean current * tau_m / cm = 4 mV. Sampled on the
# grid the current is within dt / (2 tau_syn) = 1% of that (before or after the step's
# arrivals); shot noise adds about 0.1%; the bounds are 1.5%.
import numpy as np
import pytest

DT = 0.1
RATE = 40000.0  # Hz
SOURCES = 20
DURATION = 1000.0  # ms
W, TAU_SYN, TAU_M, CM = 0.001, 5.0, 20.0, 1.0  # nA, ms, ms, nF
TRANSIENT = 100.0  # ms, five membrane time constants


@pytest.fixture(scope="module")
def results(toolchain, tmp_path_factory):
    return toolchain.simulate("multiplicity", tmp_path_factory.mktemp("multiplicity") / "results")


def test_rate_counts_every_spike(results):
    expected = SOURCES * (DURATION / DT) * RATE * DT / 1000.0
    neurons, _ = results.spikes("drive")
    assert abs(len(neurons) - expected) < 5 * np.sqrt(expected), len(neurons)
    assert abs(results.rate("drive") / RATE - 1.0) < 5 / np.sqrt(expected)


def test_counts_per_step_are_poisson(results):
    neurons, times = results.spikes("drive")
    steps = np.rint(times / DT).astype(np.int64)
    counts = np.bincount(steps * SOURCES + neurons, minlength=(int(DURATION / DT) + 1) * SOURCES)
    counts = counts[SOURCES:]  # steps 1 .. duration / dt: a spike is stamped at its step's end
    lam = RATE * DT / 1000.0
    assert abs(counts.mean() - lam) < 0.01 * lam
    assert abs(counts.var() - lam) < 0.02 * lam
    assert counts.max() >= 10


def test_mean_input_current(results):
    times, isyn, _ = results.variable("cells.excitatory.isyn")
    mean = isyn[times >= TRANSIENT].mean()
    theory = RATE / 1000.0 * W * TAU_SYN
    assert abs(mean / theory - 1.0) < 0.015, f"mean current {mean} nA, theory {theory} nA"


def test_mean_free_membrane_potential(results):
    times, v, _ = results.variable("cells.v")
    mean = v[times >= TRANSIENT].mean() + 65.0
    theory = RATE / 1000.0 * W * TAU_SYN * TAU_M / CM
    assert abs(mean / theory - 1.0) < 0.015, f"mean depolarisation {mean} mV, theory {theory} mV"
