# Issue 11, row 7: a network too big for the memory left is refused before anything large
# is allocated, naming the sizes and the largest parts; recordings past their budget stop
# the run after a whole step, and the results so far are written. Small networks keep the
# tests fast: the address space is limited with prlimit, the budget set by --recording-budget.
import json
import shutil
import subprocess

import pytest

from conftest import tree

BIG = """import pynn
network big {
  dt = 0.1 ms;  duration = 10 ms
  population cells = IF_curr_exp(200000000)
  record cells[0:10].v every 1 ms
}
"""
POISSON = """import pynn
network loud {
  dt = 0.1 ms;  duration = 100 ms
  population noise = SpikeSourcePoisson(100) { rate = 100000 Hz }
  record noise.spikes
}
"""


def sim(binary, out, *args, limit=None):
    command = [str(binary), "--out", str(out), "--backend", "cpu", "--quiet", "--threads", "1", *args]
    if limit:
        command = ["prlimit", f"--as={limit}", "--"] + command
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="needs prlimit (util-linux)")
def test_a_network_too_big_is_refused_before_allocating(toolchain, tmp_path):
    source = tmp_path / "big.gdsl"
    source.write_text(BIG)
    binary = toolchain.compile(source)
    out = tmp_path / "results"
    proc = sim(binary, out, limit=1 << 30)
    assert proc.returncode == 1, proc.stderr
    for part in ["cannot set up the network", "the network needs about", "MiB of host memory but RLIMIT_AS leaves",
                 "the largest parts: array 'cells.", "(nothing was allocated)"]:
        assert part in proc.stderr, f"{part!r} not in {proc.stderr!r}"
    assert tree(out) is None


def test_recordings_past_their_budget_stop_the_run_and_are_written(toolchain, tmp_path):
    source = tmp_path / "loud.gdsl"
    source.write_text(POISSON)
    binary = toolchain.compile(source)
    out = tmp_path / "results"
    proc = sim(binary, out, "--recording-budget", "1")
    assert proc.returncode == 1, proc.stderr
    for part in ["sim: error: the recordings hold", "more than their budget of 1.0 MiB", "--recording-budget",
                 "writing the results of the first"]:
        assert part in proc.stderr, f"{part!r} not in {proc.stderr!r}"
    manifest = json.loads((out / "manifest.json").read_text())
    assert 0 < manifest["steps"] < 1000
    assert manifest["recordings"][0]["count"] > 0
    # Without the budget the same run completes.
    assert sim(binary, tmp_path / "whole").returncode == 0
