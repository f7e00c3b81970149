# Issue 14: ranks stop together. A numerical fault that one rank alone sees, a signal sent
# to one rank alone and a failure of rank 0 to write the checkpoint must each end every rank
# after the same step, with the message printed once, the results folder written as one
# process writes it, and no rank left waiting in a collective (the timeouts catch that).
import json
import pathlib
import re
import subprocess

import numpy as np

TESTS = pathlib.Path(__file__).parent
from conftest import ARGS, signal_rank


def result_files(folder):
    """{name: bytes} of every file a results folder lists, manifest aside."""
    manifest = json.loads((folder / "manifest.json").read_text())
    return {name: (folder / name).read_bytes() for name in manifest["files"]}


def lines_with(text, needle):
    return [line for line in text.splitlines() if needle in line]


def test_a_fault_on_one_rank_stops_every_rank_after_the_same_step(toolchain, launcher, tmp_path):
    sim = str(toolchain.compile(TESTS / "networks" / "blow_up.gdsl"))
    alone = subprocess.run([sim, "--out", str(tmp_path / "alone"), *ARGS], capture_output=True, text=True, timeout=60)
    assert alone.returncode == 1, alone.stderr
    expected_error = lines_with(alone.stderr, "numerical error")
    assert len(expected_error) == 1 and "neuron 6: v became +infinity in the step from t = 1.2 to 1.3 ms" in \
        expected_error[0], alone.stderr
    expected = result_files(tmp_path / "alone")
    for ranks in (2, 3):
        out = tmp_path / f"ranks{ranks}"
        run = launcher.run(ranks, sim, "--out", str(out), *ARGS)
        assert run.returncode != 0, run.stderr
        # The same error, once: every rank knows the step and neuron, rank 0 prints.
        assert lines_with(run.stderr, "numerical error") == expected_error, run.stderr
        got = result_files(out)
        assert sorted(got) == sorted(expected)
        for name in expected:
            assert got[name] == expected[name], f"{ranks} ranks: {name} differs"
        v = np.load(out / "cells.v.npy")
        assert v.shape[0] == 14 and np.isinf(v[-1, 6])


def test_a_signal_to_one_rank_stops_every_rank_after_the_same_step(toolchain, launcher, tmp_path):
    sim = str(toolchain.compile("vogels_abbott_cuba"))
    out = tmp_path / "ranks2"
    # Long enough that only the signal can end it within the test's timeout.
    command = launcher.command(2, sim, "--out", str(out), *ARGS, "--duration", "600000")
    returncode, _, stderr = signal_rank(launcher, command, 1, delay=0.5)  # some steps into the run
    # Rank 0, which no signal reached, stops too and reports the signal once.
    stops = lines_with(stderr, "SIGTERM: stopped after")
    assert len(stops) == 1, stderr
    assert returncode != 0
    step = int(re.search(r"\(step (\d+) of 6000000\)", stops[0]).group(1))
    assert 0 < step < 6000000
    # What the ranks wrote is what one process writes for exactly that many steps.
    alone = subprocess.run([sim, "--out", str(tmp_path / "alone"), *ARGS, "--duration", f"{step * 0.1:.1f}"],
                           capture_output=True, text=True, timeout=100)
    assert alone.returncode == 0, alone.stderr
    expected = result_files(tmp_path / "alone")
    got = result_files(out)
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], f"{name} differs"


def test_a_checkpoint_rank_0_cannot_write_fails_every_rank(toolchain, launcher, tmp_path):
    sim = str(toolchain.compile(TESTS / "networks" / "connectors.gdsl"))
    out = tmp_path / "results"
    run = launcher.run(3, sim, "--out", str(out), *ARGS, "--duration", "10",
                       "--checkpoint", str(tmp_path / "missing" / "folder" / "run.ckpt"))
    assert run.returncode != 0
    errors = lines_with(run.stderr, "sim: error:")
    assert len(errors) == 1, run.stderr
    assert "cannot write the checkpoint: rank 0:" in errors[0], run.stderr
    # The results came first and are whole.
    assert json.loads((out / "manifest.json").read_text())["files"]
