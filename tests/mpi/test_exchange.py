# Issue 14, the exchange interval: the ranks exchange spikes every E steps, E the shortest
# delay of any delivery (Brunel 1.5 ms: 15 steps; Vogels-Abbott 0.2 ms: 2; delays a
# procedural projection draws from 0.3 ms: 3), and 1 where deliveries cannot wait (a
# plastic projection, a delivery that reads the postsynaptic v). Deliveries of the buffered steps run in one
# process's order, so a network of mixed delays gives bitwise one process's results and
# checkpoint with any rank count, also when the run ends inside an interval, and when a run
# resumes from such a checkpoint at a step inside an interval.
import json
import pathlib
import re
import subprocess

import numpy as np
import pytest

from conftest import ARGS

TESTS = pathlib.Path(__file__).parent
MIXED = TESTS / "networks" / "mixed_delays.gdsl"


def result_files(folder):
    """{name: bytes} of every file a results folder lists, manifest aside."""
    manifest = json.loads((folder / "manifest.json").read_text())
    return {name: (folder / name).read_bytes() for name in manifest["files"]}


def interval(folder):
    """E, from the manifest's backend: "cpu (2 MPI ranks, spikes exchanged every 15 steps)"."""
    backend = json.loads((folder / "manifest.json").read_text())["backend"]
    found = re.search(r"spikes exchanged every (\d+) steps?\)", backend)
    assert found, backend
    return int(found.group(1))


@pytest.mark.parametrize("network, duration, expected", [
    ("brunel2000_ai", 3, 15), ("vogels_abbott_cuba", 5, 2), (MIXED, 5, 2), ("stdp_pair", 5, 1),
    (TESTS / "networks" / "procedural_delays.gdsl", 5, 3), (TESTS / "networks" / "reads_post.gdsl", 5, 1)],
    ids=["brunel", "vogels_abbott", "mixed_delays", "stdp", "procedural_delays", "reads_post"])
def test_the_interval_is_the_shortest_delay_or_one(network, duration, expected, toolchain, launcher, tmp_path):
    sim = str(toolchain.compile(network, "--no-gpu"))
    run = launcher.run(2, sim, "--out", str(tmp_path / "ranks"), *ARGS, "--duration", str(duration))
    assert run.returncode == 0, run.stderr
    assert interval(tmp_path / "ranks") == expected


def test_a_plastic_network_exchanging_every_step_gives_one_process_results(toolchain, launcher, tmp_path):
    sim = str(toolchain.compile("stdp_pair", "--no-gpu"))
    alone = subprocess.run([sim, "--out", str(tmp_path / "alone"), *ARGS, "--duration", "400"],
                           capture_output=True, text=True, timeout=100)
    assert alone.returncode == 0, alone.stderr
    expected = result_files(tmp_path / "alone")
    run = launcher.run(2, sim, "--out", str(tmp_path / "ranks"), *ARGS, "--duration", "400")
    assert run.returncode == 0, run.stderr
    assert interval(tmp_path / "ranks") == 1
    got = result_files(tmp_path / "ranks")
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], f"{name} differs"


@pytest.fixture(scope="module")
def mixed(toolchain, tmp_path_factory):
    """(sim, folder) with the single-process run of 30.1 ms (301 steps: it ends inside an
    interval of 2) and its checkpoint, and the whole run of 50 ms."""
    sim = str(toolchain.compile(MIXED, "--no-gpu"))
    folder = tmp_path_factory.mktemp("mixed_alone")
    for name, duration, extra in (("alone", "30.1", ["--checkpoint", str(folder / "alone.ckpt")]),
                                  ("whole", "50", [])):
        run = subprocess.run([sim, "--out", str(folder / name), *ARGS, "--duration", duration, *extra],
                             capture_output=True, text=True, timeout=100)
        assert run.returncode == 0, run.stderr
    assert len(np.load(folder / "alone" / "exc.spikes.npy")) > 100
    assert len(np.load(folder / "alone" / "inh.spikes.npy")) > 20
    return sim, folder


@pytest.mark.parametrize("ranks, bound", [(1, None), (2, None), (3, None), (4, None), (2, "1"), (3, "7")],
                         ids=["ranks_1", "ranks_2", "ranks_3", "ranks_4", "ranks_2_every_step", "ranks_3_bound_7"])
def test_mixed_delays_give_one_process_results(ranks, bound, mixed, launcher, tmp_path):
    sim, alone = mixed
    out = tmp_path / "ranks"
    extra = ["--exchange-interval", bound] if bound else []
    run = launcher.run(ranks, sim, "--out", str(out), "--checkpoint", str(tmp_path / "ranks.ckpt"), *ARGS,
                       "--duration", "30.1", *extra)
    assert run.returncode == 0, run.stderr
    if ranks > 1:
        assert interval(out) == (1 if bound == "1" else 2)
    expected = result_files(alone / "alone")
    got = result_files(out)
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], f"{ranks} ranks: {name} differs"
    assert (tmp_path / "ranks.ckpt").read_bytes() == (alone / "alone.ckpt").read_bytes()


def test_a_run_resumed_inside_an_interval_goes_on_as_one_process(mixed, launcher, tmp_path):
    sim, alone = mixed
    run = launcher.run(3, sim, "--out", str(tmp_path / "resumed"), *ARGS, "--duration", "50",
                       "--resume", str(alone / "alone.ckpt"))
    assert run.returncode == 0, run.stderr
    for population in ("exc", "inh"):
        after = np.load(tmp_path / "resumed" / f"{population}.spikes.npy")
        whole = np.load(alone / "whole" / f"{population}.spikes.npy")
        assert len(after) > 0
        np.testing.assert_array_equal(after, whole[whole[:, 1] > 30.1 + 1e-9])


@pytest.mark.parametrize("network", ["procedural_delays", "reads_post"])
def test_drawn_delays_and_state_reads_give_one_process_results(network, toolchain, launcher, tmp_path):
    sim = str(toolchain.compile(TESTS / "networks" / f"{network}.gdsl", "--no-gpu"))
    alone = subprocess.run([sim, "--out", str(tmp_path / "alone"), *ARGS], capture_output=True, text=True,
                           timeout=100)
    assert alone.returncode == 0, alone.stderr
    expected = result_files(tmp_path / "alone")
    assert all(len(np.load(tmp_path / "alone" / name)) > 20 for name in expected if name.endswith("spikes.npy"))
    run = launcher.run(3, sim, "--out", str(tmp_path / "ranks"), *ARGS)
    assert run.returncode == 0, run.stderr
    got = result_files(tmp_path / "ranks")
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], f"{name} differs"
