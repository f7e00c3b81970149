# Checkpoints and seeds, on a small recurrent network in which everything is random
# (initial v, connectivity, weights, delays, Poisson drive).
#
# - Saving a checkpoint after 150 ms, loading it into a fresh simulation and running on
#   gives exactly (bitwise) the spikes and state of the uninterrupted run, also when the
#   fresh simulation was created with another seed (the checkpoint restores the seed).
# - The C ABI (the network compiled with --shared, driven through ctypes) and the `sim`
#   program give the same spikes.
# - The same seed gives identical results folders; another seed gives other connectivity
#   and other spikes.
import ctypes

import numpy as np
import pytest

from e2e_support import Simulation

STEPS = 1500  # 150 ms at dt = 0.1 ms
THREADS = 2


@pytest.fixture(scope="module")
def library(toolchain):
    return ctypes.CDLL(str(toolchain.compile("small_network", "--shared")))


@pytest.fixture(scope="module")
def uninterrupted(library, tmp_path_factory):
    """Runs 2 x STEPS with a checkpoint in the middle; returns the checkpoint's path and
    the spikes and membrane potentials of the whole run."""
    path = tmp_path_factory.mktemp("checkpoint") / "middle.ckpt"
    sim = Simulation(library, THREADS)
    sim.run(STEPS)
    sim.save(path)
    sim.run(STEPS)
    result = {p: sim.spikes(p + ".spikes") for p in ("exc", "inh")}
    result["v"] = sim.array("exc.v", 400)
    sim.close()
    return path, result


def continued(library, path, seed=None):
    sim = Simulation(library, THREADS, seed)
    sim.load(path)
    loaded_seed = sim.seed()
    sim.run(STEPS)
    result = {p: sim.spikes(p + ".spikes") for p in ("exc", "inh")}
    result["v"] = sim.array("exc.v", 400)
    sim.close()
    return loaded_seed, result


@pytest.mark.parametrize("seed", [None, 99])
def test_checkpoint_continues_the_run_exactly(library, uninterrupted, seed):
    path, whole = uninterrupted
    loaded_seed, rest = continued(library, path, seed)
    assert loaded_seed == 4242
    for population in ("exc", "inh"):
        neurons, times = whole[population]
        later = times > STEPS * 0.1 + 1e-9
        # 100 inhibitory neurons spike about 100 times in the second half (seed 4242).
        assert np.count_nonzero(later) > 50, "the network must be active after the checkpoint"
        np.testing.assert_array_equal(rest[population][0], neurons[later])
        np.testing.assert_array_equal(rest[population][1], times[later])
    np.testing.assert_array_equal(rest["v"], whole["v"])


def test_c_abi_and_sim_agree(library, toolchain, tmp_path):
    sim = Simulation(library, THREADS)
    sim.run(3000)
    results = toolchain.run(toolchain.compile("small_network"), tmp_path / "results", threads=THREADS)
    for population in ("exc", "inh"):
        neurons, times = results.spikes(population)
        got = sim.spikes(population + ".spikes")
        np.testing.assert_array_equal(got[0], neurons)
        np.testing.assert_array_equal(got[1], times)
    sim.close()


def folder_arrays(results):
    return {f.name: np.load(f) for f in sorted(results.folder.glob("*.npy"))}


def test_same_seed_same_results_other_seed_other_results(toolchain, tmp_path):
    sim = toolchain.compile("small_network")
    first = toolchain.run(sim, tmp_path / "a", threads=THREADS)
    again = toolchain.run(sim, tmp_path / "b", threads=THREADS)
    other = toolchain.run(sim, tmp_path / "c", "--seed", "7", threads=THREADS)
    assert first.manifest["seed"] == 4242 and other.manifest["seed"] == 7
    assert first.manifest["projections"] == again.manifest["projections"]
    a, b = folder_arrays(first), folder_arrays(again)
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    # Another seed: other synapse counts (fixed_probability draws them) and other spikes.
    counts = {p["name"]: p["synapses"] for p in first.manifest["projections"]}
    other_counts = {p["name"]: p["synapses"] for p in other.manifest["projections"]}
    assert counts["d2e"] == other_counts["d2e"] == 2000  # fixed_number_pre: 5 per cell
    assert sum(counts[k] != other_counts[k] for k in ("e2e", "e2i", "i2e", "i2i")) >= 3
    assert not np.array_equal(first.spikes("exc")[1], other.spikes("exc")[1])
