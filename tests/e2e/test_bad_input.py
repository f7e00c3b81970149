# The `sim` program refuses bad input with a clear message (docs/runtime.md: exit code 1,
# "sim: error: ...") and leaves the results of an earlier run untouched: a missing or
# malformed connection file, an output folder that cannot be written, a negative
# duration. A bad command line is exit code 2.
import hashlib
import os
import shutil

import pytest

GOOD_FILE = "# columns = ['i', 'j']\n0 0\n1 1\n2 2\n3 3\n"


@pytest.fixture()
def network(toolchain, tmp_path):
    """The from_file network compiled in its own folder, a valid connection file beside
    it, and the results folder of one good run."""
    folder = tmp_path / "net"
    folder.mkdir()
    source = folder / "from_file.gdsl"
    shutil.copy(toolchain.source("from_file"), source)
    (folder / "connections.txt").write_text(GOOD_FILE)
    sim = toolchain.compile(source, output=folder / "sim")
    results = folder / "results"
    good = toolchain.run(sim, results)
    assert good.manifest["projections"][0]["synapses"] == 4
    return sim, folder / "connections.txt", results


def snapshot(folder):
    """Every file of a folder with its content's digest."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def fails(toolchain, sim, out, *args, message):
    before = snapshot(out) if out.is_dir() else None
    proc = toolchain.run_raw(sim, out, *args)
    assert proc.returncode == 1, f"exit {proc.returncode}:\n{proc.stdout}{proc.stderr}"
    assert proc.stderr.startswith("sim: error: "), proc.stderr
    for part in message:
        assert part in proc.stderr, f"{part!r} not in {proc.stderr!r}"
    if before is not None:
        assert snapshot(out) == before, "the earlier results changed"
    # Nothing is left beside the folder either (no half-written temporary folder).
    if out.parent.is_dir():
        assert not [p for p in out.parent.iterdir() if ".tmp-" in p.name]


def test_missing_connection_file(toolchain, network):
    sim, connections, results = network
    connections.unlink()
    fails(toolchain, sim, results, message=["cannot set up the network",
                                            "cannot open connection file", str(connections)])


@pytest.mark.parametrize("content, message", [
    ("0 0\n1 x\n", ["line 2", "'x' is not a number"]),
    ("0 0\n1 1 0.5\n", ["line 2", "expected 2 columns", "found 3"]),
    ("0 0\n7 1\n", ["pre index 7", "is not a neuron of the pre side (4 neurons)"]),
    ("# columns = ['i', 'j', 'weight']\n0 0\n", ["header names 3 columns but rows have 2"]),
])
def test_malformed_connection_file(toolchain, network, content, message):
    sim, connections, results = network
    connections.write_text(content)
    fails(toolchain, sim, results, message=["cannot set up the network", "connections.txt"] + message)


@pytest.mark.parametrize("duration", ["-5", "-0.1", "inf", "nan"])
def test_negative_or_infinite_duration(toolchain, network, duration):
    sim, _, results = network
    fails(toolchain, sim, results, f"--duration={duration}",
          message=["--duration must be a finite number of ms >= 0", duration])


def test_output_below_a_file(toolchain, network):
    sim, _, results = network
    blocker = results.parent / "a_file"
    blocker.write_text("not a folder")
    fails(toolchain, sim, blocker / "results", message=["cannot write results", f"'{blocker}' is not a folder",
                                                        "nothing was run"])
    assert blocker.read_text() == "not a folder"


def test_output_folder_of_something_else(toolchain, network):
    sim, _, results = network
    foreign = results.parent / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8")
    fails(toolchain, sim, foreign, message=["cannot write results", "not a gennc results folder",
                                            "has no manifest.json"])
    assert (foreign / "holiday.jpg").read_bytes() == b"\xff\xd8"


@pytest.mark.skipif(os.geteuid() == 0, reason="file permissions do not stop root")
def test_output_folder_in_a_read_only_folder(toolchain, network):
    sim, _, results = network
    os.chmod(results.parent, 0o555)
    try:
        fails(toolchain, sim, results, message=["cannot write results", str(results)])
    finally:
        os.chmod(results.parent, 0o755)


def test_bad_command_line(toolchain, network):
    sim, _, results = network
    before = snapshot(results)
    proc = toolchain.run_raw(sim, results, "--threads", "many")
    assert proc.returncode == 2 and "--threads" in proc.stderr
    assert snapshot(results) == before
