# Issue 14: a network run by 1, 2, 3 and 4 MPI ranks gives bitwise the results folder files
# (spikes, samples, final synapse values) and the checkpoint (every array: connectivity, state, rings) that one
# process gives, for the examples (shortened) and for every connector, stored and
# procedural. One worker thread per rank, as in the single-process run: with more, sums
# of synaptic input may round differently in any run (docs/runtime.md).
import json
import pathlib
import subprocess

import numpy as np
import pytest

# (network, duration in ms, gennc flags). Every run is on the CPU: no PTX (--no-gpu).
CASES = {
    "vogels_abbott": ("vogels_abbott_cuba", 200, ("--no-gpu",)),
    "brunel": ("brunel2000_ai", 20, ("--no-gpu",)),
    "potjans": ("potjans_diesmann_scaled", 15, ("--no-gpu",)),
    "connectors": (pathlib.Path(__file__).parent / "networks" / "connectors.gdsl", 60, ("--no-gpu",)),
    "procedural": (pathlib.Path(__file__).parent / "networks" / "connectors.gdsl", 60,
                   ("--no-gpu", "--procedural=all")),
    # STDP weights written at the end of the run (`record <projection>.weight`).
    "final_weights": (pathlib.Path(__file__).parents[1] / "e2e" / "networks" / "final_weights.gdsl", 200,
                      ("--no-gpu",)),
    # Current sources fused into their targets' updates (docs/ir.md): each rank computes the
    # sources' state of its own neurons only, which the recordings and checkpoint gather.
    "fused_injection": (pathlib.Path(__file__).parents[1] / "e2e" / "networks" / "fused_injection.gdsl", 100,
                        ("--no-gpu",)),
}
ARGS = ["--backend", "cpu", "--threads", "1", "--quiet"]


def result_files(folder):
    """{name: bytes} of every file a results folder lists, manifest aside."""
    manifest = json.loads((folder / "manifest.json").read_text())
    return {name: (folder / name).read_bytes() for name in manifest["files"]}


@pytest.fixture(scope="module")
def alone(toolchain, tmp_path_factory):
    """{case: (sim, results folder files, checkpoint bytes)} of the single-process runs,
    each made once for all rank counts."""
    runs = {}

    def run(case):
        if case not in runs:
            source, duration, flags = CASES[case]
            sim = toolchain.compile(source, *flags)
            folder = tmp_path_factory.mktemp(f"{case}_alone")
            proc = subprocess.run([str(sim), "--out", str(folder / "results"), "--checkpoint",
                                   str(folder / "alone.ckpt"), *ARGS, "--duration", str(duration)],
                                  capture_output=True, text=True, timeout=100)
            assert proc.returncode == 0, proc.stderr
            expected = result_files(folder / "results")
            # Spikes to compare: in every population recorded, for a test that can fail.
            spike_files = [name for name in expected if name.endswith(".spikes.npy")]
            assert spike_files and all(len(np.load(folder / "results" / name)) > 0
                                       for name in spike_files)
            runs[case] = (sim, expected, (folder / "alone.ckpt").read_bytes())
        return runs[case]
    return run


# ctest runs one network's rank counts per entry (-k NETWORK), so that the single-process
# run is made once for them and ctest spreads the networks over its cores.
@pytest.mark.parametrize("ranks", [1, 2, 3, 4], ids=lambda n: f"ranks_{n}")
@pytest.mark.parametrize("case", sorted(CASES))
def test_ranks_give_the_single_process_results(case, ranks, alone, launcher, tmp_path):
    sim, expected, checkpoint = alone(case)
    duration = CASES[case][1]
    out = tmp_path / f"ranks{ranks}"
    run = launcher.run(ranks, str(sim), "--out", str(out), "--checkpoint", str(tmp_path / f"ranks{ranks}.ckpt"),
                       *ARGS, "--duration", str(duration))
    assert run.returncode == 0, f"{ranks} ranks:\n{run.stdout}{run.stderr}"
    got = result_files(out)
    assert sorted(got) == sorted(expected), f"{ranks} ranks"
    for name in expected:
        assert got[name] == expected[name], f"{ranks} ranks: {name} differs"
    assert (tmp_path / f"ranks{ranks}.ckpt").read_bytes() == checkpoint, f"{ranks} ranks: checkpoint differs"
