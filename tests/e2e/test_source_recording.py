# Recording a current source's state: `inject name = Source(...) into view` and `record
# name.amplitude` record the current each copy of the source injects, one column per
# target neuron, through the C ABI (gennc_recording_info, gennc_get_samples) and the
# results folder (manifest.json, .npy files).
#
# - StepCurrentSource: the trace is its step function exactly. The source's update runs
#   first in a step, so the sample at time T (the end of a step) holds the current of the
#   step [T - dt, T); the sample at 0 the initial 0.
# - NoisyCurrentSource (mean 0.5 nA, stdev 0.2 nA, redrawn every 1 ms between 100 ms and
#   800 ms): samples are constant over each 1 ms of the source, aligned at `start`, and
#   zero for the steps outside [start, stop); 4 targets x 700 draws have a mean within
#   4 standard errors of 0.5 nA (0.2 / sqrt(2800) nA each), a standard deviation within 4
#   standard errors of 0.2 nA (0.2 / sqrt(5600) nA each), and every pair of targets a
#   correlation within 4 / sqrt(700) of 0 (each target has its own draws).
# - An unnamed injection keeps its `<Model><index>` arrays, the index counting the named
#   ones too (compiled with --runtime-parameters, as the PyNN backend compiles, so that a
#   uniform parameter stays an array).
import ctypes

import numpy as np
import pytest

from e2e_support import Results, Simulation

DT = 0.1
STEPS = 10000  # 1000 ms
THREADS = 2
TIMES = [20.0, 35.5, 60.0, 60.1, 500.0]
AMPLITUDES = [0.3, -0.2, 0.45, 1.25, 0.0]

NETWORK = f"""
import pynn
network sources {{
  dt = {DT} ms
  duration = 1000 ms
  seed = 99
  population cells = IF_curr_exp(10)
  inject steps = StepCurrentSource(times = {TIMES}, amplitudes = {AMPLITUDES}) into cells[0:3]
  inject DCSource(amplitude = 0.05 nA) into cells
  inject noise = NoisyCurrentSource(mean = 0.5 nA, stdev = 0.2 nA, start = 100 ms, stop = 800 ms, dt = 1 ms)
    into cells[[2, 5, 7, 9]]
  record steps.amplitude every 0.1 ms
  record noise.amplitude
  record cells[0:3].v every 1 ms
}}
"""


@pytest.fixture(scope="module")
def run(toolchain, tmp_path_factory):
    folder = tmp_path_factory.mktemp("source_recording")
    source = folder / "sources.gdsl"
    source.write_text(NETWORK)
    # As the PyNN backend compiles (so that the DCSource's amplitude stays an array).
    sim = Simulation(ctypes.CDLL(str(toolchain.compile(source, "--shared", "--runtime-parameters"))), THREADS)
    sim.run(STEPS)
    out = folder / "results"
    sim.check(sim.lib.gennc_write_results(sim.handle, str(out).encode()))
    yield sim, Results(out)
    sim.close()


def step_function(t):
    """StepCurrentSource's current at times t: 0 before the first time, then the amplitude
    of the last time reached (times on the step grid, as the model compares them)."""
    index = np.searchsorted(TIMES, t + 0.5 * DT, side="right") - 1
    return np.where(index >= 0, np.array(AMPLITUDES)[np.maximum(index, 0)], 0.0)


def test_recordings_describe_the_targets(run):
    sim, results = run
    for name, neurons in (("steps.amplitude", [0, 1, 2]), ("noise.amplitude", [2, 5, 7, 9])):
        info = sim.recording_info(name)
        assert (info["name"], info["population"], info["variable"], info["unit"]) == (name, "cells", name, "nA")
        assert info["neuron_count"] == len(neurons)
        np.testing.assert_array_equal(sim.sample_neurons(name), neurons)
        entry = results.recordings[name]
        assert (entry["kind"], entry["population"], entry["variable"], entry["injection"]) == (
            "variable", "cells", name, name.split(".")[0])
        np.testing.assert_array_equal(results.variable(name)[2], neurons)
    assert "injection" not in results.recordings["cells.v"]
    # The unnamed DCSource is injection 1: its arrays keep the name <Model><index>.
    assert sim.array("DCSource1.amplitude")[0] == pytest.approx(0.05)
    assert sim.array_length("noise.amplitude") == 4


def test_step_current_trace_is_its_step_function(run):
    sim, results = run
    times, values = sim.samples("steps.amplitude")
    np.testing.assert_array_equal(times, np.arange(STEPS + 1) / (1 / DT))
    expected = np.r_[0.0, step_function(times[1:] - DT)]
    for column in range(3):
        np.testing.assert_array_equal(values[:, column], expected)
    file_times, file_values, _ = results.variable("steps.amplitude")
    assert file_values.dtype == np.float64
    np.testing.assert_array_equal(file_times, times)
    np.testing.assert_array_equal(file_values, values)


def test_noisy_current_is_piecewise_constant_and_normal(run):
    sim, results = run
    times, values = sim.samples("noise.amplitude")
    assert values.shape == (STEPS + 1, 4)
    np.testing.assert_array_equal(results.variable("noise.amplitude")[1], values)
    # Sample k holds the current of step k - 1, which starts at (k - 1) dt.
    step_start = np.arange(-1, STEPS) * DT
    active = (step_start >= 100.0 - 1e-9) & (step_start < 800.0 - 1e-9)
    assert np.all(values[~active] == 0.0)
    blocks = values[active].reshape(700, 10, 4)  # 1 ms of the source = 10 steps
    assert np.all(blocks == blocks[:, :1, :]), "constant over each draw interval"
    draws = blocks[:, 0, :]
    assert np.all(draws != 0.0)
    assert np.all(draws[1:] != draws[:-1]), "a new value every interval"
    n = draws.size
    assert abs(draws.mean() - 0.5) < 4 * 0.2 / np.sqrt(n)
    assert abs(draws.std() - 0.2) < 4 * 0.2 / np.sqrt(2 * n)
    correlation = np.corrcoef(draws.T)
    off_diagonal = correlation[~np.eye(4, dtype=bool)]
    assert np.all(np.abs(off_diagonal) < 4 / np.sqrt(700))
