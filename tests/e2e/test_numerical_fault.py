# A state that becomes infinite stops the run: `sim` names the population, the neuron, the
# variable and the step, writes what was recorded up to there and exits with code 1
# (docs/runtime.md; the fault report of compiler/passes/check_finite_states.h).
import json

import numpy as np


def test_infinite_state_stops_the_run_and_keeps_the_results(toolchain, tmp_path):
    sim = toolchain.compile("blow_up")
    out = tmp_path / "results"
    proc = toolchain.run_raw(sim, out)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # In float64 v passes 1.8e308 in the step from 1.2 ms (in float32, 3.4e38 a step earlier).
    assert ("numerical error in population 'cells', neuron 2: v became +infinity "
            "in the step from t = 1.2 to 1.3 ms") in proc.stderr
    # Stopped right after the failing step; the samples up to it are written.
    assert json.loads((out / "manifest.json").read_text())["recordings"]
    v = np.load(out / "cells.v.npy")
    times = np.load(out / "cells.v.times.npy")
    assert times[-1] == 1.3 and len(times) == 14
    assert np.all(np.isfinite(v[:-1, 2])) and np.isinf(v[-1, 2])
    assert np.all(v[:, [0, 1, 3]] == 0.0)
