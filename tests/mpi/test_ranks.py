# Issue 14: a network run by 1, 2, 3 and 4 MPI ranks gives bitwise the results folder files
# (spikes, samples) and the checkpoint (every array: connectivity, state, rings) that one
# process gives, for the examples (shortened) and for every connector, stored and
# procedural. One worker thread per rank, as in the single-process run: with more, sums
# of synaptic input may round differently in any run (docs/runtime.md).
import json
import pathlib
import subprocess

import numpy as np
import pytest

# (network, duration in ms, gennc flags)
CASES = {
    "vogels_abbott": ("vogels_abbott_cuba", 200, ()),
    "brunel": ("brunel2000_ai", 20, ()),
    "potjans": ("potjans_diesmann_scaled", 15, ()),
    "connectors": (pathlib.Path(__file__).parent / "networks" / "connectors.gdsl", 60, ()),
    "procedural": (pathlib.Path(__file__).parent / "networks" / "connectors.gdsl", 60,
                              ("--procedural=all",)),
}


def result_files(folder):
    """{name: bytes} of every file a results folder lists, manifest aside."""
    manifest = json.loads((folder / "manifest.json").read_text())
    return {name: (folder / name).read_bytes() for name in manifest["files"]}


# Rank counts in two groups, so that ctest can spread a network's runs over its cores.
@pytest.mark.parametrize("rank_counts", [(1, 2), (3, 4)], ids=["ranks_1_2", "ranks_3_4"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_ranks_give_the_single_process_results(case, rank_counts, toolchain, launcher, tmp_path):
    source, duration, flags = CASES[case]
    sim = toolchain.compile(source, *flags)
    args = ["--backend", "cpu", "--threads", "1", "--quiet", "--duration", str(duration)]
    alone = subprocess.run([str(sim), "--out", str(tmp_path / "alone"), "--checkpoint", str(tmp_path / "alone.ckpt"),
                            *args], capture_output=True, text=True, timeout=100)
    assert alone.returncode == 0, alone.stderr
    expected = result_files(tmp_path / "alone")
    # Spikes to compare: in every population recorded, for a test that can fail.
    spike_files = [name for name in expected if name.endswith(".spikes.npy")]
    assert spike_files and all(len(np.load(tmp_path / "alone" / name)) > 0 for name in spike_files)
    checkpoint = (tmp_path / "alone.ckpt").read_bytes()
    for ranks in rank_counts:
        out = tmp_path / f"ranks{ranks}"
        run = launcher.run(ranks, str(sim), "--out", str(out), "--checkpoint", str(tmp_path / f"ranks{ranks}.ckpt"),
                           *args)
        assert run.returncode == 0, f"{ranks} ranks:\n{run.stdout}{run.stderr}"
        got = result_files(out)
        assert sorted(got) == sorted(expected), f"{ranks} ranks"
        for name in expected:
            assert got[name] == expected[name], f"{ranks} ranks: {name} differs"
        assert (tmp_path / f"ranks{ranks}.ckpt").read_bytes() == checkpoint, f"{ranks} ranks: checkpoint differs"

