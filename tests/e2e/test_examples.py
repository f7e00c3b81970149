# Every example compiles, runs on the CPU and reproduces what examples/README.md
# publishes for it: rates within the published ranges and each network's signature
# (Brunel's SR and SI-slow signatures: NEST's, measured as here; see BRUNEL).
#
# Tolerances, where the README gives a single figure measured with NEST on other random
# draws: 15% for rates (a different seed moves them by a few percent; other draws of the
# same connectivity rule, and small numerical differences between simulators, add a
# few more) and 0.15 for mean CVs of interspike intervals. Where it gives a range over
# seeds, the range itself. The Potjans-Diesmann microcircuit at full scale does not fit
# CI's budget and runs in test_examples_slow.py.
import ctypes

import numpy as np
import pytest

from e2e_support import Simulation

RATE_TOLERANCE = 0.15
CV_TOLERANCE = 0.15

def mean_cv(results, population, start):
    """Mean CV of the interspike intervals after `start` ms, over neurons with 3 or more."""
    cvs = []
    for train in results.spike_trains(population):
        isi = np.diff(train[train >= start])
        if len(isi) >= 2:
            cvs.append(isi.std() / isi.mean())
    assert len(cvs) > 0, f"no neuron of {population} fired three times"
    return float(np.mean(cvs))


def spectrum_peak(results, populations, start, stop, low, bin_ms=0.5):
    """Frequency (Hz) of the largest peak above `low` Hz in the spectrum of the
    population activity (spike counts in bins of `bin_ms`)."""
    edges = np.arange(start, stop + bin_ms / 2, bin_ms)
    counts = sum(np.histogram(results.spikes(p)[1], edges)[0] for p in populations)
    power = np.abs(np.fft.rfft(counts - counts.mean())) ** 2
    freqs = np.fft.rfftfreq(len(counts), bin_ms / 1000.0)
    above = freqs >= low
    return float(freqs[above][np.argmax(power[above])])


def assert_rate(results, population, expected, start=0.0, stop=None):
    rate = results.rate(population, start, stop)
    assert abs(rate - expected) <= RATE_TOLERANCE * expected, (
        f"{population}: {rate:.2f} Hz, published {expected} Hz")


@pytest.fixture(scope="module")
def run_example(toolchain, tmp_path_factory):
    def run(name, *args):
        return toolchain.simulate(name, tmp_path_factory.mktemp(name) / "results", *args)
    return run


def test_single_neuron_dc(run_example):
    results = run_example("single_neuron_dc")
    _, times = results.spikes("cell")
    np.testing.assert_allclose(times, 127.8 + 27.9 * np.arange(10), rtol=0, atol=1e-9)


def test_poisson_input(run_example):
    results = run_example("poisson_input")
    duration = results.manifest["duration"]
    for source, n in (("noise_exc", 1000), ("noise_inh", 250)):
        # Poisson counts: 10 Hz within 5 standard deviations.
        expected = n * 10.0 * duration / 1000.0
        count = len(results.spikes(source)[1])
        assert abs(count - expected) < 5 * np.sqrt(expected), f"{source}: {count} spikes"
    synapses = {p["name"]: p["synapses"] for p in results.manifest["projections"]}
    assert synapses == {"exc_input": 100 * 100, "inh_input": 100 * 25}
    assert_rate(results, "cells", 27.0)
    assert abs(mean_cv(results, "cells", 0.0) - 0.6) < CV_TOLERANCE


def test_stdp_pair(toolchain):
    sim = Simulation(ctypes.CDLL(str(toolchain.compile("stdp_pair", "--shared"))), 1)
    sim.run(10000)
    _, pre = sim.spikes("pre.spikes")
    _, post = sim.spikes("post.spikes")
    assert len(post) == 10
    lag = post - pre
    assert np.all((lag > 9.0) & (lag < 11.0)), f"post - pre: {lag}"
    # Additive pair rule over all pairs, NEST's convention: the rule sees a post spike the
    # delay (1 ms, all dendritic) after it was fired; +A_plus w_max exp(-dt / tau_plus) for
    # pre before seen post, -A_minus w_max exp(dt / tau_minus) for seen post before pre.
    diff = (post + 1.0)[:, None] - pre[None, :]
    potentiation = 0.5 * 0.01 * np.exp(-diff / 20.0)
    change = potentiation[diff > 0].sum() - 0.5 * 0.0105 * np.exp(diff[diff < 0] / 20.0).sum()
    # Float32 state: 1e-5 nA. A potentiation shows in the weight at the synapse's next pre
    # spike, as in NEST: the last pairing's is still pending.
    weight = sim.array("plastic.weight")[0]
    pending = sim.array("plastic.pending_weight")[0]
    last = potentiation[(post + 1.0 > pre[-1])[:, None] & (diff > 0)].sum()
    assert last > 0
    assert abs(weight + pending - (0.1 + change)) < 1e-5, f"weight {weight + pending}, pair rule {0.1 + change}"
    assert abs(pending - last) < 1e-5, (pending, last)
    sim.close()


@pytest.mark.parametrize("name, ranges", [
    ("vogels_abbott_cuba", {"exc": (5.2, 5.9), "inh": (5.5, 5.8)}),
    ("vogels_abbott_coba", {"exc": (13.4, 16.1), "inh": (14.0, 15.5)}),
])
def test_vogels_abbott(run_example, name, ranges):
    results = run_example(name)
    for population, (low, high) in ranges.items():
        rate = results.rate(population)
        assert low <= rate <= high, f"{population}: {rate:.2f} Hz, published {low} - {high} Hz"


# Brunel (2000): rate (both populations), mean CV, and the population rhythm (Hz; None
# for AI, which has no dominant one), measured from 200 ms on. SI-slow is simulated for
# 600 ms (its CV needs three spikes a neuron at 5.5 Hz), AI and SI-fast, which fire at 38
# and 59 Hz, for 400 ms (over 100 ms their CVs read 0.3 and 0.54, too few intervals a
# neuron), SR for 300 ms: at 333 Hz, 100 ms hold 33 intervals a neuron, and rate, CV and
# rhythm read 330 Hz, 0.001 and 670 Hz (400 ms: 333 Hz, 0.001, 665 Hz).
# SR's rhythm and SI-slow's CV and rhythm are NEST's, measured as here (iaf_psc_delta
# with these parameters, SR seeds 1-3, SI-slow 1-10; bench/brunel_nest.py, results in
# bench/results/brunel_nest_2026-12-06.md), not the README's figures; same tolerances.
# SR's neurons fire every 3 ms in two clusters one delay (1.5 ms) apart, so the population
# peaks at 667.5 Hz on every seed. SI-slow's CV counts only neurons with 3 or more spikes
# in 400 ms: 0.33 (seed spread 0.015; the README's 0.5 is over 800 ms, where NEST gives
# 0.48). SI-slow's peak is a range, NEST's over its seeds: mostly 20 - 25 Hz, but on
# some seeds the second harmonic wins (42.5 and 50 Hz).
BRUNEL = {
    "brunel2000_sr": (333.0, 0.0, 667.5),
    "brunel2000_ai": (37.7, 0.4, None),
    "brunel2000_si_fast": (58.6, 0.8, 186.0),
    "brunel2000_si_slow": (5.55, 0.33, (20.0, 50.0)),
}


@pytest.mark.parametrize("name", sorted(BRUNEL))
def test_brunel2000(run_example, name):
    rate, cv, rhythm = BRUNEL[name]
    stop = {"brunel2000_si_slow": 600.0, "brunel2000_sr": 300.0}.get(name, 400.0)
    results = run_example(name, "--duration", f"{stop:g}")
    for population in ("exc", "inh"):
        assert_rate(results, population, rate, 200.0)
        measured = mean_cv(results, population, 200.0)
        assert abs(measured - cv) < CV_TOLERANCE, f"{population}: mean CV {measured:.3f}, expected {cv}"
    if rhythm is not None:
        peak = spectrum_peak(results, ("exc", "inh"), 200.0, stop, 10.0)
        low, high = rhythm if isinstance(rhythm, tuple) else (0.8 * rhythm, 1.2 * rhythm)
        assert low <= peak <= high, f"population rhythm at {peak} Hz, expected {rhythm}"


def test_izhikevich2003(toolchain):
    library = ctypes.CDLL(str(toolchain.compile("izhikevich2003", "--shared")))
    rates = {}
    for recurrent in (True, False):
        sim = Simulation(library, 2)
        if not recurrent:
            for projection in ("e2e", "e2i", "i2e", "i2i"):
                sim.set_array(projection + ".weight", np.zeros(sim.array_length(projection + ".weight")))
        sim.run(10000)
        rates[recurrent] = {p: len(sim.spikes(p + ".spikes")[1]) / n for p, n in (("exc", 800), ("inh", 200))}
        sim.close()
    assert abs(rates[True]["exc"] - 8.4) <= RATE_TOLERANCE * 8.4, rates
    assert abs(rates[True]["inh"] - 9.2) <= RATE_TOLERANCE * 9.2, rates
    # The activity is the network's own: with the recurrent weights set to zero, thalamic
    # noise alone leaves the excitatory cells (which receive the stronger noise) at under
    # 80% of their rate and the inhibitory ones at under half.
    assert rates[False]["exc"] < 0.8 * rates[True]["exc"], rates
    assert rates[False]["inh"] < 0.5 * rates[True]["inh"], rates


# NEST's rates of the scaled microcircuit (examples/README.md), 500 - 1500 ms; here the
# network runs 1000 ms, measured from 300 ms on. 15% or 0.1 Hz, whichever is larger
# (L2/3e fires below 1 Hz).
POTJANS_DIESMANN_SCALED = {"L23e": 0.44, "L23i": 2.12, "L4e": 3.95, "L4i": 5.01,
                           "L5e": 7.02, "L5i": 7.76, "L6e": 0.87, "L6i": 7.04}


def test_potjans_diesmann_scaled(run_example):
    results = run_example("potjans_diesmann_scaled")
    assert sum(p["synapses"] for p in results.manifest["projections"]
               if p["pre"] in POTJANS_DIESMANN_SCALED) == 2988807
    for population, expected in POTJANS_DIESMANN_SCALED.items():
        rate = results.rate(population, 300.0)
        assert abs(rate - expected) <= max(RATE_TOLERANCE * expected, 0.1), (
            f"{population}: {rate:.2f} Hz, NEST {expected} Hz")
