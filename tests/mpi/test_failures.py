# Issue 14: a rank that fails while the network is set up fails every rank. Here rank 1
# alone asks for more threads than the runtime allows; every rank must exit with 1, the
# error must be printed once (by rank 0, naming rank 1), and no results folder may appear.
import pathlib
import subprocess

TESTS = pathlib.Path(__file__).parent


def test_one_failing_rank_stops_every_rank_with_its_error_once(toolchain, launcher, tmp_path):
    sim = str(toolchain.compile(TESTS / "networks" / "connectors.gdsl"))
    out = tmp_path / "results"
    args = ["--out", str(out), "--backend", "cpu", "--quiet", "--duration", "10"]
    command = [launcher.mpirun, "--oversubscribe", "-np", "1", sim, *args, "--threads", "1", ":",
               "-np", "1", sim, *args, "--threads", "100000", ":", "-np", "1", sim, *args, "--threads", "1"]
    run = subprocess.run(command, capture_output=True, text=True, env=launcher.env, timeout=100)
    assert run.returncode != 0
    errors = [line for line in run.stderr.splitlines() if line.startswith("sim: error:")]
    assert len(errors) == 1, run.stderr
    assert "rank 1: 100000 threads requested" in errors[0]
    assert not out.exists()
    assert not list(tmp_path.glob("results.tmp-*"))


def test_a_missing_connection_file_is_reported_once(toolchain, launcher, tmp_path):
    network = tmp_path / "from_file.gdsl"
    connections = tmp_path / "connections.txt"
    connections.write_text("0 1 0.1 1.0\n1 2 0.1 1.0\n")
    network.write_text((TESTS / "networks" / "from_file.gdsl").read_text())
    sim = str(toolchain.compile(network))
    connections.unlink()
    out = tmp_path / "results"
    run = launcher.run(3, sim, "--out", str(out), "--backend", "cpu", "--quiet", "--threads", "1")
    assert run.returncode != 0
    errors = [line for line in run.stderr.splitlines() if line.startswith("sim: error:")]
    assert len(errors) == 1, run.stderr
    assert "rank 0:" in errors[0] and "connections.txt" in errors[0]
    assert not out.exists()
