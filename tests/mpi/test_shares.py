# Issue 14: each rank builds and holds only the synapses onto the neurons it updates
# (docs/distributed.md, "What a rank holds"). The manifest's memory lists each rank's
# synapses: with 2, 3 and 4 ranks they must be exactly the single process's synapses onto
# that rank's neurons (read through the C ABI), plus the projections every rank holds
# whole (Vogels-Abbott's one_to_one stimulus, stored as a diagonal), and the ranks' shares
# of the split projections must add up to the network's synapses.
import ctypes
import json
import pathlib

import numpy as np
import pytest

from conftest import ARGS
from e2e_support import Simulation
from test_exchange import result_files

SPLIT = ("e2e", "e2i", "i2e", "i2i")  # fixed_probability, stored as rows


@pytest.fixture(scope="module")
def network(toolchain):
    """(sim, {projection: (post population, post neuron of each synapse)}, populations in order)."""
    sim = str(toolchain.compile("vogels_abbott_cuba", "--no-gpu"))
    alone = Simulation(ctypes.CDLL(str(toolchain.compile("vogels_abbott_cuba", "--no-gpu", "--shared"))), 1)
    posts = {name: ("exc" if name.endswith("e") else "inh", alone.array(f"{name}.column").astype(np.int64))
             for name in SPLIT}
    return sim, posts


@pytest.mark.parametrize("ranks", [2, 3, 4], ids=lambda n: f"ranks_{n}")
def test_each_rank_holds_the_synapses_onto_its_neurons(ranks, network, launcher, tmp_path):
    sim, posts = network
    out = tmp_path / "results"
    run = launcher.run(ranks, sim, "--out", str(out), *ARGS, "--duration", "10")
    assert run.returncode == 0, run.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    held = [rank["synapses"] for rank in manifest["memory"]["ranks"]]
    assert len(held) == ranks
    # Each rank's neurons: its piece of the populations' neurons, population after population.
    counts = [int(n) for n in manifest["backend"].split("updating ")[1].split(" neurons")[0].split("/")]
    offsets, start = {}, 0
    for population in manifest["populations"]:
        offsets[population["name"]] = start
        start += population["size"]
    bounds = np.cumsum([0] + counts)
    total = {p["name"]: p["synapses"] for p in manifest["projections"]}
    whole = sum(n for name, n in total.items() if name not in SPLIT)
    assert whole == 50  # the stimulus, one synapse per stimulated neuron
    for name, (population, post) in posts.items():
        assert total[name] == len(post) > 0
    for rank in range(ranks):
        mine = sum(int(np.count_nonzero((offsets[population] + post >= bounds[rank]) &
                                        (offsets[population] + post < bounds[rank + 1])))
                   for population, post in posts.values())
        assert held[rank] == mine + whole, f"rank {rank} of {ranks}"
        assert held[rank] < sum(total.values())
    assert sum(held) - ranks * whole == sum(total[name] for name in SPLIT)
    # The bytes of the ranks' synapses are summed, not one rank's.
    assert manifest["memory"]["synapse_bytes"] == sum(rank["synapse_bytes"] for rank in manifest["memory"]["ranks"])


def test_a_checkpoint_resumed_over_ranks_is_taken_as_shares(network, launcher, tmp_path):
    # A checkpoint holds the whole network; ranks that resume from it take their shares at
    # their first run, and a checkpoint they write at the end gathers the shares again:
    # byte for byte what one process resuming from it writes.
    sim, _ = network
    first = tmp_path / "first.ckpt"
    made = launcher.run(1, sim, "--out", str(tmp_path / "first"), *ARGS, "--duration", "20", "--checkpoint", str(first))
    assert made.returncode == 0, made.stderr
    ends = {}
    for ranks in (1, 3):
        end = tmp_path / f"end{ranks}.ckpt"
        out = tmp_path / f"resumed{ranks}"
        run = launcher.run(ranks, sim, "--out", str(out), *ARGS, "--duration", "40", "--resume", str(first),
                           "--checkpoint", str(end))
        assert run.returncode == 0, run.stderr
        ends[ranks] = end.read_bytes()
        if ranks > 1:
            held = [rank["synapses"] for rank in json.loads((out / "manifest.json").read_text())["memory"]["ranks"]]
            assert max(held) < json.loads((out / "manifest.json").read_text())["memory"]["synapses"]
    assert ends[3] == ends[1]


def test_a_stochastic_synapse_is_held_whole_and_draws_as_one_process(toolchain, launcher, tmp_path):
    # Its transmissions draw at the synapse's index in the whole network's rows: split, a
    # rank would draw other numbers. Every rank holds it whole; the static projection is
    # split, and the results folder is one process's.
    sim = str(toolchain.compile(pathlib.Path(__file__).parent / "networks" / "stochastic.gdsl", "--no-gpu"))
    alone = launcher.run(1, sim, "--out", str(tmp_path / "alone"), *ARGS, "--duration", "60")
    assert alone.returncode == 0, alone.stderr
    run = launcher.run(3, sim, "--out", str(tmp_path / "ranks"), *ARGS, "--duration", "60")
    assert run.returncode == 0, run.stderr
    expected = result_files(tmp_path / "alone")
    assert len(np.load(tmp_path / "alone" / "a.spikes.npy")) > 0
    for name, data in result_files(tmp_path / "ranks").items():
        assert data == expected[name], f"{name} differs"
    manifest = json.loads((tmp_path / "ranks" / "manifest.json").read_text())
    total = {p["name"]: p["synapses"] for p in manifest["projections"]}
    held = [rank["synapses"] for rank in manifest["memory"]["ranks"]]
    assert all(total["noisy"] <= n < total["noisy"] + total["rec"] for n in held)
    assert sum(held) == 3 * total["noisy"] + total["rec"]
