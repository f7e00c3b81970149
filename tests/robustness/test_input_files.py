# Issue 11, rows 5, 12 and 13: connection files and imports. `sim` reads a connection file
# by the absolute path the compiler resolved, from any working folder; its values are
# checked as GDSL values are (an error names the file and line); only regular files of a
# bounded size are read, by gennc and by `sim`; `gennc --restrict-paths` confines imports
# and connection files to the model's folder. Each failure leaves the files as they were.
import json
import os
import subprocess

import pytest

from conftest import tree

NETWORK = """import pynn
{imports}
network n {{
  dt = 0.1 ms;  duration = 20 ms
  population src = SpikeSourceArray(4) {{ spike_times = [5 ms] }}
  population post = IF_curr_exp(4)
  projection listed = src -> post via from_file("{file}")
    synapse StaticSynapse(weight = 1 nA, delay = 1 ms) onto excitatory
  record post.spikes
}}
"""
GOOD = "# columns = ['i', 'j', 'weight', 'delay']\n0 0 1.0 1.0\n1 1 1.0 1.0\n2 2 1.0 1.0\n3 3 1.0 1.0\n"


def write_network(folder, file="connections.txt", imports=""):
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "net.gdsl"
    source.write_text(NETWORK.format(file=file, imports=imports))
    return source


def gennc(toolchain, source, *flags, cwd=None):
    return subprocess.run([str(toolchain.gennc), str(source), *flags], capture_output=True, text=True, timeout=120,
                          cwd=cwd)


def sim(binary, out, cwd):
    return subprocess.run([str(binary), "--out", str(out), "--backend", "cpu", "--quiet", "--threads", "1"],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture()
def built(toolchain, tmp_path):
    """The network compiled from a relative path in its own folder, its connection file beside it."""
    folder = tmp_path / "model"
    source = write_network(folder)
    (folder / "connections.txt").write_text(GOOD)
    proc = gennc(toolchain, source.name, "-o", "sim", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    return folder / "sim", folder / "connections.txt"


def test_row_5_sim_reads_the_same_file_from_any_folder(built, tmp_path):
    binary, _ = built
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "connections.txt").write_text("# columns = ['i', 'j']\n")  # a decoy: no synapses
    proc = sim(binary, "results", cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((elsewhere / "results" / "manifest.json").read_text())
    assert manifest["projections"][0]["synapses"] == 4


@pytest.mark.parametrize("row, message", [
    ("0 0 nan 1.0", ["line 3", "weight nan is not a finite number"]),
    ("0 0 inf 1.0", ["line 3", "weight inf is not a finite number"]),
    ("0 0 1.0 -1.0", ["line 3", "delay -1 ms is not a finite number >= 0"]),
    ("0 0 1.0 1e300", ["line 3", "delay 1e+300 ms is", "the delay rings hold at most 2^31 - 1 steps"]),
    ("0.5 0 1.0 1.0", ["line 3", "pre index 0.5 is not a neuron of the pre side"]),
])
def test_row_12_connection_file_values_are_checked(built, tmp_path, row, message):
    binary, connections = built
    out = tmp_path / "results"
    assert sim(binary, out, cwd=tmp_path).returncode == 0  # an earlier run's results, to be kept
    connections.write_text("# columns = ['i', 'j', 'weight', 'delay']\n1 1 1.0 1.0\n" + row + "\n")
    before = tree(out), connections.read_bytes()
    proc = sim(binary, out, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert f"connection file '{connections}'" in proc.stderr, proc.stderr
    for part in message:
        assert part in proc.stderr, f"{part!r} not in {proc.stderr!r}"
    assert (tree(out), connections.read_bytes()) == before


def special_file(kind, path):
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        os.symlink("/dev/zero", path)


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_row_13_sim_reads_only_regular_files(built, tmp_path, kind):
    binary, connections = built
    connections.unlink()
    special_file(kind, connections)
    proc = sim(binary, tmp_path / "results", cwd=tmp_path)  # returns at once: never blocks or reads forever
    assert proc.returncode == 1, proc.stderr
    assert "not a regular file" in proc.stderr, proc.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_row_13_gennc_refuses_a_connection_file_that_is_not_regular(toolchain, tmp_path, kind):
    source = write_network(tmp_path, file="special")
    special_file(kind, tmp_path / "special")
    proc = gennc(toolchain, source, "--check")
    assert proc.returncode == 1
    assert f"net.gdsl:7:" in proc.stderr and "is not a regular file [connector]" in proc.stderr, proc.stderr


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_row_13_imports_read_only_regular_files(toolchain, tmp_path, kind):
    (tmp_path / "connections.txt").write_text(GOOD)
    special_file(kind, tmp_path / "special.gdsl")
    source = write_network(tmp_path, imports='import "special.gdsl"')
    proc = gennc(toolchain, source, "--check")
    assert proc.returncode == 1
    assert "net.gdsl:2:1: error: cannot import" in proc.stderr and "not a regular file" in proc.stderr, proc.stderr


def test_row_13_only_gdsl_files_are_imported_and_never_echoed(toolchain, tmp_path):
    (tmp_path / "connections.txt").write_text(GOOD)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:the secret line:/root:/bin/bash\n")
    source = write_network(tmp_path, imports=f'import "{secret}"')
    proc = gennc(toolchain, source, "--check")
    assert proc.returncode == 1
    assert "only .gdsl files are imported [import]" in proc.stderr, proc.stderr
    assert "secret line" not in proc.stderr


def test_row_13_restrict_paths_confines_imports_and_files(toolchain, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "connections.txt").write_text(GOOD)
    (outside / "models.gdsl").write_text("")
    folder = tmp_path / "model"
    source = write_network(folder, file="../outside/connections.txt", imports='import "../outside/models.gdsl"')
    assert gennc(toolchain, source, "--check").returncode == 0
    proc = gennc(toolchain, source, "--check", "--restrict-paths")
    assert proc.returncode == 1
    assert f"import '{outside / 'models.gdsl'}' is outside the model's folder '{folder}'" in proc.stderr, proc.stderr
    assert (f"connection file '{outside / 'connections.txt'}' is outside the model's folder '{folder}'"
            in proc.stderr), proc.stderr
    # A symbolic link inside the folder that leads out is outside too.
    os.symlink(outside / "connections.txt", folder / "link.txt")
    source = write_network(folder, file="link.txt")
    proc = gennc(toolchain, source, "--check", "--restrict-paths")
    assert proc.returncode == 1 and "is outside the model's folder" in proc.stderr, proc.stderr
    (folder / "link.txt").unlink()
    (folder / "connections.txt").write_text(GOOD)
    source = write_network(folder)
    assert gennc(toolchain, source, "--check", "--restrict-paths").returncode == 0
