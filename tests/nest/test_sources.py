"""The spike sources against their definitions and against NEST (issue 10).

Random sources: rate and ISI coefficient of variation pooled over many neurons, on both
simulators, each within 5% (rate) and 0.05 (CV) of what the source's parameters imply.
SpikeSourceArray: the recorded times identical to NEST's, on and off the grid, and with
spike_precision="off_grid" (precise sources) the exact times NEST records.
"""
import numpy as np
import pytest
from pyNN.parameters import Sequence

import nest_compare as nc

pytestmark = pytest.mark.group("sources")

# 20,000 spikes a source type: the rate to 0.7% (one standard deviation), the ISI CV to
# about 0.01, so the 5% and 0.05 bounds below sit at several standard deviations. Few
# sources over a long window rather than the reverse: a gamma source started at 0 has
# its first ISI from the start, which biases the rate by (1 - CV^2) / 2 spikes a source
# (0.9% over 2 s, 1.9% over 1 s).
N = 500
RATE = 20.0  # Hz
START, DURATION = 100.0, 2000.0
DEAD_TIME = 10.0  # ms


def geometric_cv(rate):
    """A Poisson process drawn step by step: geometric ISIs, CV sqrt(1 - rate dt)."""
    return np.sqrt(1.0 - rate * nc.DT * 1e-3)


# name, PyNN parameters, window (start, stop] in ms (NEST's generators' convention),
# expected rate (Hz) and CV. pyNN.nest gives SpikeSourceGamma and
# SpikeSourcePoissonRefractory no start or duration.
SOURCES = [
    ("SpikeSourcePoisson", dict(rate=RATE, start=START, duration=DURATION),
     (START, START + DURATION), RATE, geometric_cv(RATE)),
    ("SpikeSourceGamma", dict(alpha=4, beta=4 * RATE), (0.0, DURATION), RATE, 0.5),
    # The rate includes the dead time: ISIs are DEAD_TIME + exponential.
    ("SpikeSourcePoissonRefractory", dict(rate=RATE, tau_refrac=DEAD_TIME),
     (0.0, DURATION), RATE, 1.0 - RATE * DEAD_TIME * 1e-3),
]


def run_sources(sim, name, parameters, stop):
    nc.setup(sim)
    sources = sim.Population(N, getattr(sim, name)(**parameters))
    sources.record("spikes")
    sim.run(stop)
    trains = [np.asarray(st.magnitude) for st in sources.get_data("spikes").segments[0].spiketrains]
    sim.end()
    return trains


def statistics(trains, window):
    spikes = np.concatenate(trains)
    inside = (spikes > window[0]) & (spikes <= window[1])
    outside = int(np.count_nonzero(~inside))
    spikes = spikes[inside]
    rate = len(spikes) / (N * (window[1] - window[0]) * 1e-3)
    isis = np.concatenate([np.diff(t[(t > window[0]) & (t <= window[1])]) for t in trains])
    return rate, float(isis.std() / isis.mean()), outside


@pytest.mark.parametrize("simulator", ["gennc", "nest"])
@pytest.mark.parametrize("name,parameters,window,rate,cv", SOURCES, ids=[s[0] for s in SOURCES])
def test_random_source_statistics(simulator, name, parameters, window, rate, cv):
    trains = run_sources(nc.SIMULATORS[simulator], name, parameters, DURATION + 2 * START)
    measured_rate, measured_cv, outside = statistics(trains, window)
    nc.record(kind="source", model=name, simulator=simulator, rate=measured_rate,
              expected_rate=rate, cv=measured_cv, expected_cv=cv, outside=outside)
    # pyNN.nest lets spikes through up to ~1.2 ms after stop (its device delay shift)
    assert simulator == "nest" or "start" not in parameters or outside == 0, \
        "spikes outside (start, start + duration]"
    assert abs(measured_rate - rate) <= 0.05 * rate, (measured_rate, rate)
    assert abs(measured_cv - cv) <= 0.05, (measured_cv, cv)


# pyNN.nest moves each time back by min_delay and NEST refuses a time of 0: none before 0.2 ms.
ARRAYS = {
    "on_grid": [[1.0, 2.5, 10.0, 10.1, 57.3, 299.9], [0.2, 0.3, 0.4], []],
    "off_grid": [[1.04, 2.55, 3.06, 10.01, 57.349], [0.149, 0.151, 99.95]],
}


def array_trains(times, **setup):
    """{simulator: the recorded spike trains} of one SpikeSourceArray per list of `times`."""
    trains = {}
    for simulator, sim in nc.SIMULATORS.items():
        nc.setup(sim, **setup)
        sources = sim.Population(len(times), sim.SpikeSourceArray(spike_times=times))
        sources.record("spikes")
        sim.run(310.0)
        trains[simulator] = [np.asarray(st.magnitude)
                             for st in sources.get_data("spikes").segments[0].spiketrains]
        sim.end()
    return trains


@pytest.mark.parametrize("grid", ["on_grid", "off_grid"])
def test_spike_source_array_times(grid):
    times = [Sequence(t) for t in ARRAYS[grid]]
    trains = array_trains(times)
    counts = [(len(g), len(n)) for g, n in zip(trains["gennc"], trains["nest"])]
    largest = max((nc.spike_differences(g, n) for g, n in zip(trains["gennc"], trains["nest"])),
                  default=0.0)
    nc.record(kind="array", model="SpikeSourceArray", stimulus=grid,
              spikes_gennc=sum(c[0] for c in counts), spikes_nest=sum(c[1] for c in counts),
              max_spike_dt=largest)
    assert largest <= 1e-9, (trains["gennc"], trains["nest"])


def test_precise_spike_source_array_times():
    """spike_precision="off_grid": each source keeps the times it was given, as NEST's
    spike_generator with precise_times does; two times in one step are two spikes."""
    times = [Sequence(t) for t in ARRAYS["off_grid"]]
    trains = array_trains(times, spike_precision="off_grid")
    largest = max(nc.spike_differences(g, n) for g, n in zip(trains["gennc"], trains["nest"]))
    nc.record(kind="array", model="SpikeSourceArray", stimulus="precise",
              spikes_gennc=sum(len(g) for g in trains["gennc"]),
              spikes_nest=sum(len(n) for n in trains["nest"]), max_spike_dt=largest)
    assert largest <= 1e-9, (trains["gennc"], trains["nest"])
    assert np.array_equal(np.concatenate(trains["gennc"]), np.concatenate(ARRAYS["off_grid"]))
