# Spike sources produce the requested rates and interval statistics, and spike arrays
# their exact times.
#
# The sources are time-driven (stdlib/spike_sources): in each 0.1 ms step a Poisson source
# emits poisson(rate dt) spikes (several spikes of one step share its time, so intervals
# of 0 occur); a gamma source of shape k advances one of k stages with probability
# q = 1 - exp(-beta dt) and fires on completing the k-th; a dead-time source is silent for
# tau_refrac after a spike and then fires with probability 1 - exp(-h dt),
# h = rate / (1 - rate tau_refrac). Their interspike intervals, counted in steps, follow
# laws that give the mean and CV each sample is compared with: 0 or a geometric variable
# for the gaps between events of Poisson counts per step (poisson_law), a sum of k
# geometric variables G(q), and (m - 1) + G(.) with
# m = tau_refrac / dt. These are within 0.5% of the requested rate and of the
# continuous-time CV (1 for Poisson, 1 / sqrt(k) for gamma, 1 - rate tau_refrac with dead
# time), which is checked too.
#
# Bounds are 5 standard errors: of the mean interval, sqrt(variance / n); of the CV, the
# spread of the CV of n intervals drawn from the same law in numpy (100 repetitions).
# Intervals are those starting after a 500 ms transient and more than 10 mean intervals
# before the end, so the window's end censors (almost) none of them.
import math

import numpy as np
import pytest

DT = 0.1
SIGMAS = 5


def geometric_moments(p):
    return 1.0 / p, (1.0 - p) / p**2


def poisson_law(rate):
    # After an event, the next one falls in the same step (interval 0) with probability
    # a = 1 - p / lam, else in the next step that has any, a geometric G(p) later,
    # p = 1 - exp(-lam); the mean is exactly 1 / lam.
    lam = rate * DT / 1000.0
    p = 1.0 - math.exp(-lam)
    a = 1.0 - p / lam
    second_moment = (2.0 - p) / (lam * p)
    return ((lambda rng, n: np.where(rng.random(n) < a, 0, rng.geometric(p, n))),
            1.0 / lam, second_moment - 1.0 / lam**2, rate, 1.0)


def gamma_law(k, beta):
    q = 1.0 - math.exp(-beta * DT / 1000.0)
    mean, var = geometric_moments(q)
    return ((lambda rng, n: rng.geometric(q, (k, n)).sum(axis=0)), k * mean, k * var,
            beta / k, 1.0 / math.sqrt(k))


def dead_time_law(rate, tau_refrac):
    m = round(tau_refrac / DT)
    hazard = rate / (1.0 - rate * tau_refrac / 1000.0)
    q = 1.0 - math.exp(-hazard * DT / 1000.0)
    mean, var = geometric_moments(q)
    return ((lambda rng, n: m - 1 + rng.geometric(q, n)), m - 1 + mean, var, rate,
            1.0 - rate * tau_refrac / 1000.0)


# population: (sampler of intervals in steps, exact mean, exact variance, requested rate
# in Hz, continuous-time CV)
LAWS = {"poisson": poisson_law(20.0), "gamma": gamma_law(4, 40.0),
        "dead_time": dead_time_law(50.0, 5.0)}


@pytest.fixture(scope="module")
def results(toolchain, tmp_path_factory):
    return toolchain.simulate("sources", tmp_path_factory.mktemp("sources") / "results")


def intervals(results, population, mean_steps):
    """Interspike intervals in steps, of every source, that start in the window."""
    duration = results.manifest["duration"]
    last_start = duration - 10 * mean_steps * DT
    chunks = []
    for train in results.spike_trains(population):
        starts = train[:-1]
        keep = (starts >= 500.0) & (starts <= last_start)
        chunks.append(np.diff(train)[keep])
    isi = np.concatenate(chunks)
    steps = np.rint(isi / DT)
    np.testing.assert_allclose(isi, steps * DT, rtol=0, atol=1e-6)  # on the grid
    return steps


@pytest.mark.parametrize("population", sorted(LAWS))
def test_rate(results, population):
    _, mean, var, requested, _ = LAWS[population]
    assert abs(1000.0 / (mean * DT) / requested - 1.0) < 0.005
    isi = intervals(results, population, mean)
    assert len(isi) > 30000
    bound = SIGMAS * math.sqrt(var / len(isi))
    assert abs(isi.mean() - mean) < bound, (
        f"mean interval {isi.mean() * DT} ms, law {mean * DT} +- {bound * DT} ms "
        f"(requested rate {requested} Hz)")


@pytest.mark.parametrize("population", sorted(LAWS))
def test_cv(results, population):
    sampler, mean, var, _, cv_continuous = LAWS[population]
    cv_law = math.sqrt(var) / mean
    assert abs(cv_law - cv_continuous) < 0.005
    isi = intervals(results, population, mean)
    rng = np.random.default_rng(2024)
    spread = np.std([np.std(s) / np.mean(s) for s in (sampler(rng, len(isi)) for _ in range(100))])
    cv = isi.std() / isi.mean()
    assert abs(cv - cv_law) < SIGMAS * spread, f"CV {cv}, law {cv_law} +- {SIGMAS * spread}"


def test_dead_time_respected(results):
    m = round(5.0 / DT)
    isi = np.concatenate([np.diff(t) for t in results.spike_trains("dead_time")])
    steps = np.rint(isi / DT)
    # Never shorter than the dead time; exactly the dead time often (one chance in 150).
    assert steps.min() == m
    assert np.count_nonzero(steps == m) > 100


def test_start_and_duration(results):
    _, times = results.spikes("windowed")
    # Active in the steps starting in [1000, 3000) ms, stamped at their ends.
    assert times.min() >= 1000.1 - 1e-9 and times.max() <= 3000.0 + 1e-9
    # A Poisson count of mean 500 sources x 20000 steps x rate dt.
    expected = 500 * 20000 * 30.0 * DT / 1000.0
    assert abs(len(times) - expected) < SIGMAS * math.sqrt(expected)


def test_spike_array_times(results):
    trains = results.spike_trains("array")
    expected = [
        [1.0, 5.5, 10.0, 250.3, 4999.9],     # on the grid
        [0.1, 0.2, 0.3],                     # one per step from the first
        # Off the grid, rounded up to the next step end as NEST's spike_generator rounds
        # them: 7.04 -> 7.1, 7.26 -> 7.3; 7.27 shares 7.26's step and goes out with it, as
        # in NEST (tests/nest/test_sources.py); 100.01 and 100.09 -> 100.1.
        [7.1, 7.3, 7.3, 100.1, 100.1],
    ]
    for k, times in enumerate(expected):
        np.testing.assert_allclose(trains[k], times, rtol=0, atol=1e-9)
