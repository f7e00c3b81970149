# Issue 14, the partition override: `sim --partition` gives each rank its share of the
# network's expected work (docs/distributed.md, Partition). The shares decide only which
# neurons a rank updates, which the manifest's backend names, never the results: skewed
# partitions, a rank with nothing to do included, give one process's results folder
# bitwise. Shares that do not fit the ranks stop every rank before the network is built,
# with one error.
import json
import re
import subprocess

import pytest

from conftest import ARGS
from test_exchange import result_files


def neurons_per_rank(folder):
    """From the manifest's backend: "cpu (3 MPI ranks updating 506/1012/2532 neurons, ...)"."""
    backend = json.loads((folder / "manifest.json").read_text())["backend"]
    found = re.search(r"updating ([\d/]+) neurons", backend)
    assert found, backend
    return [int(n) for n in found.group(1).split("/")]


@pytest.fixture(scope="module")
def vogels_abbott(toolchain, tmp_path_factory):
    """(sim, results of one process over 50 ms)."""
    sim = str(toolchain.compile("vogels_abbott_cuba", "--no-gpu"))
    folder = tmp_path_factory.mktemp("va_alone") / "alone"
    run = subprocess.run([sim, "--out", str(folder), *ARGS, "--duration", "50"], capture_output=True, text=True,
                         timeout=100)
    assert run.returncode == 0, run.stderr
    return sim, result_files(folder)


@pytest.mark.parametrize("shares", ["1,2,5", "0,1", "3,1", "1,1,1,0"], ids=["1_2_5", "0_1", "3_1", "1_1_1_0"])
def test_a_partition_changes_who_updates_what_not_the_results(shares, vogels_abbott, launcher, tmp_path):
    sim, expected = vogels_abbott
    weights = [float(w) for w in shares.split(",")]
    run = launcher.run(len(weights), sim, "--out", str(tmp_path / "ranks"), *ARGS, "--duration", "50",
                       "--partition", shares)
    assert run.returncode == 0, run.stderr
    counts = neurons_per_rank(tmp_path / "ranks")
    # The network's 4050 neurons (4000 cells and 50 sources) cut in the shares' proportions;
    # the cells weigh more than the sources by their synaptic events, so within 2%.
    assert sum(counts) == 4050
    for count, weight in zip(counts, weights):
        assert abs(count - 4050 * weight / sum(weights)) <= 0.02 * 4050, counts
    got = result_files(tmp_path / "ranks")
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], f"{name} differs"


@pytest.mark.parametrize("shares, message", [
    ("1,2", "gives 2 shares for 3 ranks"),
    ("1,x,1", "give one non-negative number per rank"),
    ("1,-1,1", "give one non-negative number per rank"),
    ("0,0,0", "gives 3 shares, all zero, for 3 ranks")], ids=["count", "not_a_number", "negative", "all_zero"])
def test_shares_that_do_not_fit_stop_every_rank_once(shares, message, vogels_abbott, launcher, tmp_path):
    sim, _ = vogels_abbott
    out = tmp_path / "results"
    run = launcher.run(3, sim, "--out", str(out), *ARGS, "--duration", "10", "--partition", shares)
    assert run.returncode != 0
    errors = [line for line in run.stderr.splitlines() if line.startswith("sim: error:")]
    assert len(errors) == 1, run.stderr
    assert message in errors[0] and "GENNC_PARTITION (sim --partition)" in errors[0]
    assert not out.exists()
