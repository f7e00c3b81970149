# Procedural rows over ranks (docs/distributed.md, What a rank holds): each rank regenerates
# only the part of a procedural row onto the post neurons it updates, starting at the post
# block holding its first one. Whatever the ranks and shares, and wherever they cut the
# 1024-position blocks of fixed_probability's draws, the results folder and the checkpoint
# are bitwise one process's, for fixed_probability (onto a population and a strided view),
# fixed_number_post, all_to_all and one_to_one, with drawn and constant delays.
import pathlib
import subprocess

import numpy as np
import pytest

from conftest import ARGS
from test_exchange import result_files
from test_partition import neurons_per_rank

NETWORK = pathlib.Path(__file__).parent / "networks" / "procedural_ranges.gdsl"
DURATION = "60"
SIZES = {"a": 500, "b": 3000}  # the network's order: a, b, then the 50 sources


@pytest.fixture(scope="module")
def alone(toolchain, tmp_path_factory):
    """(sim, results folder files, checkpoint bytes) of one process."""
    sim = str(toolchain.compile(NETWORK, "--no-gpu"))
    folder = tmp_path_factory.mktemp("procedural_alone")
    run = subprocess.run([sim, "--out", str(folder / "results"), "--checkpoint", str(folder / "alone.ckpt"), *ARGS,
                          "--duration", DURATION], capture_output=True, text=True, timeout=100)
    assert run.returncode == 0, run.stderr
    files = result_files(folder / "results")
    for name in ("a.spikes.npy", "b.spikes.npy"):
        assert len(np.load(folder / "results" / name)) > 500, name
    return sim, files, (folder / "alone.ckpt").read_bytes()


def cuts_of_b(counts):
    """The positions of b at which one rank's neurons end and the next's begin."""
    cuts, first = [], 0
    for count in counts[:-1]:
        first += count
        if SIZES["a"] < first < SIZES["a"] + SIZES["b"]:
            cuts.append(first - SIZES["a"])
    return cuts


@pytest.mark.parametrize("ranks, shares", [(1, None), (2, None), (3, None), (2, "1,3"), (3, "5,1,2"), (3, "0,1,1")],
                         ids=["ranks_1", "ranks_2", "ranks_3", "shares_1_3", "shares_5_1_2", "shares_0_1_1"])
def test_ranks_regenerating_their_part_of_each_row_give_one_process(ranks, shares, alone, launcher, tmp_path):
    sim, expected, checkpoint = alone
    extra = ["--partition", shares] if shares else []
    run = launcher.run(ranks, sim, "--out", str(tmp_path / "ranks"), "--checkpoint", str(tmp_path / "ranks.ckpt"),
                       *ARGS, "--duration", DURATION, *extra)
    assert run.returncode == 0, run.stderr
    if ranks > 1:
        # The ranks cut b's rows inside a block of 1024 positions (other than at its edges).
        counts = neurons_per_rank(tmp_path / "ranks")
        assert len(counts) == ranks
        assert any(cut % 1024 != 0 for cut in cuts_of_b(counts)), counts
    got = result_files(tmp_path / "ranks")
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], f"{name} differs"
    assert (tmp_path / "ranks.ckpt").read_bytes() == checkpoint, "checkpoint differs"
