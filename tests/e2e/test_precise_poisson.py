# SpikeSourcePoissonPrecise: a Poisson process in continuous time (NEST's
# poisson_generator_ps), spikes at their exact times. Over 50 sources x 0.8 s at 2 kHz
# (80,000 spikes expected): the rate within 1% (0.35% is one standard deviation), the
# inter-spike intervals' coefficient of variation within 0.02 of 1, every time inside
# [start, start + duration) and none on the grid, and no two consecutive intervals equal
# (several spikes of one step must each draw their own interval).
import numpy as np


def test_precise_poisson_statistics(toolchain, tmp_path):
    results = toolchain.run(toolchain.compile("precise_poisson"), tmp_path / "results")
    _, times = results.spikes("sources")
    assert times.min() >= 100.0 and times.max() < 900.0
    assert np.all(np.abs(times * 10 - np.round(times * 10)) > 1e-9)
    rates, cvs, repeats = [], [], 0
    for train in results.spike_trains("sources"):
        intervals = np.diff(train)
        rates.append(len(train) / 0.8)
        cvs.append(intervals.std() / intervals.mean())
        repeats += int(np.sum(intervals[1:] == intervals[:-1]))
    assert abs(np.mean(rates) / 2000.0 - 1) < 0.01, np.mean(rates)
    assert abs(np.mean(cvs) - 1) < 0.02, np.mean(cvs)
    assert repeats == 0
