# `record <projection>.<synapse variable>` writes the variable's values at the end of the
# run into the results folder (docs/runtime.md, results folder), one per synapse with its
# pre and post neuron. They must be the values the running network holds: the same run
# through the C ABI (a --shared library) reads them from the engine's arrays, and the
# results folder must hold exactly those, in the runtime's synapse order.
import ctypes
import json

import numpy as np

from e2e_support import Simulation

STEPS = 5000  # the network's 500 ms


def test_final_weights_are_the_engines(toolchain, tmp_path):
    out = tmp_path / "results"
    toolchain.run(toolchain.compile("final_weights"), out, threads=1)
    manifest = json.loads((out / "manifest.json").read_text())
    entries = {e["name"]: e for e in manifest["synapse_recordings"]}
    assert sorted(entries) == ["dense.weight", "sparse.weight"]

    sim = Simulation(ctypes.CDLL(str(toolchain.compile("final_weights", "--shared"))), 1)
    sim.run(STEPS)
    for name, entry in entries.items():
        projection = entry["projection"]
        assert entry["unit"] == "nA" and entry["dtype"] == "float64"
        weights = np.load(out / entry["file"])
        pre, post = np.load(out / entry["pre_file"]), np.load(out / entry["post_file"])
        rows = sim.array(projection + ".row_pointer").astype(np.int64)
        columns = sim.array(projection + ".column").astype(np.int64)
        assert entry["synapses"] == len(weights) == len(columns) == rows[-1]
        np.testing.assert_array_equal(pre, np.repeat(np.arange(len(rows) - 1), np.diff(rows)))
        np.testing.assert_array_equal(post, columns)
        np.testing.assert_array_equal(weights, sim.array(name))
        initial = 1.0 if projection == "sparse" else 0.5
        # The rules moved the weights, within their bounds.
        assert np.any(weights != initial), name
        assert weights.min() >= 0.0 and weights.max() <= (2.0 if projection == "sparse" else 1.0)
    # all_to_all: every (pre, post) pair once, as rows (unrecorded it would be stored dense).
    dense_pre = np.load(out / "dense.weight.pre.npy")
    assert len(dense_pre) == 30 * 4 and np.array_equal(np.bincount(dense_pre), np.full(30, 4))
