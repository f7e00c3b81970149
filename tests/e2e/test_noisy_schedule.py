# NoisyCurrentSource's draw schedule in both precisions: a new value at start + k * dt of
# the source and nowhere else, as NEST's noise_generator draws on the steps that are a
# multiple of its interval from its start. The model's tolerance is half a simulation step
# (`resolution()`, since its parameter `dt` hides the step's name): in float32 the step
# start `t` and `start + k * dt` round apart by an ulp of `t` (1e-7 ms at 2 ms), which a
# tolerance of a fraction of the source's interval did not cover (the draw due at 2.1 ms
# was taken a step late). Ten seconds of 0.1 ms steps; the samples are the step's current
# (sample k is the step starting at (k - 1) * 0.1 ms). A change point is a step whose
# value differs from the step before, so a draw equal to its predecessor (probability 0
# for a normal) would read as a missing one.
import ctypes

import numpy as np
import pytest

from e2e_support import Simulation

DT = 0.1
STEPS = 100000  # 10 s
# (name, interval in ms, start in ms, stop in ms)
SOURCES = [("every_step", 0.1, 0.0, 1.0e12), ("every_third", 0.3, 2.1, 1.0e12),
           ("window", 1.0, 1000.0, 9000.0)]

NETWORK = f"""
import pynn
network schedule {{
  dt = {DT} ms
  duration = 10000 ms
  seed = 7
  population cells = IF_curr_exp(1)
""" + "".join(f"""  inject {name} = NoisyCurrentSource(mean = 0.5 nA, stdev = 0.2 nA, dt = {interval} ms,
    start = {start} ms, stop = {stop} ms) into cells
  record {name}.amplitude every 0.1 ms
""" for name, interval, start, stop in SOURCES) + "}\n"


@pytest.fixture(scope="module", params=["float32", "float64"])
def run(request, toolchain, tmp_path_factory):
    folder = tmp_path_factory.mktemp("noisy_schedule_" + request.param)
    source = folder / "schedule.gdsl"
    source.write_text(NETWORK)
    sim = Simulation(ctypes.CDLL(str(toolchain.compile(source, "--shared", "--" + request.param))), 1)
    sim.run(STEPS)
    yield sim
    sim.close()


def expected_change_steps(interval, start, stop):
    """Steps (0-based, step s starts at s * DT) where a new value begins: the first step
    of each interval of the source inside [start, stop), and the step at `stop`, where the
    current falls to zero. Exact in integers: every time here is on the step grid."""
    every = round(interval / DT)
    first = round(start / DT)
    last = min(round(stop / DT), STEPS) if stop < 1e9 else STEPS
    changes = set(range(first, last, every))
    if last < STEPS:
        changes.add(last)
    return changes


@pytest.mark.parametrize("name,interval,start,stop", SOURCES)
def test_draws_fall_on_the_sources_grid(run, name, interval, start, stop):
    times, values = run.samples(name + ".amplitude")
    current = values[1:, 0]  # current[s] is step s's
    assert len(current) == STEPS
    previous = np.r_[0.0, current[:-1]]
    changed = set(np.flatnonzero(current != previous).tolist())
    expected = expected_change_steps(interval, start, stop)
    missing, extra = sorted(expected - changed), sorted(changed - expected)
    assert not missing and not extra, (
        f"{name}: no new value at steps {missing[:5]} (t = {[s * DT for s in missing[:5]]} ms); "
        f"unexpected change at steps {extra[:5]}")
    inside = (np.arange(STEPS) >= round(start / DT)) & (np.arange(STEPS) < min(round(stop / DT), STEPS))
    assert np.all(current[~inside] == 0.0)
    draws = current[sorted(s for s in expected if inside[s])]
    assert abs(draws.mean() - 0.5) < 4 * 0.2 / np.sqrt(draws.size)
