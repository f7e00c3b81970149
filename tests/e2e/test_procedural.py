# Procedural connectivity (docs/gpu.md, "Procedural connectivity") regenerates each spike's
# row from the connector's seed: the same synapses, weights and delays as the stored CSR
# rows, so the same network must give bitwise the same spike trains and traces, while
# keeping nothing per synapse (only the row pointers).
import re
import subprocess

import numpy as np
import pytest

RECORDINGS = ["exc.spikes", "inh.spikes", "exc.v", "inh.inhibitory.isyn"]


@pytest.fixture(scope="module")
def runs(toolchain, tmp_path_factory):
    out = tmp_path_factory.mktemp("procedural")
    # One thread: float atomics then add in one order, so both runs are reproducible.
    stored = toolchain.simulate("procedural", out / "stored", threads=1)
    procedural = toolchain.simulate("procedural", out / "procedural", flags=("--procedural=all",), threads=1)
    return stored, procedural


def test_same_spikes_and_traces(runs):
    stored, procedural = runs
    for name in RECORDINGS:
        key = "file"
        a = np.load(stored.folder / stored.recordings[name][key])
        b = np.load(procedural.folder / procedural.recordings[name][key])
        assert a.shape == b.shape and a.size > 0, name
        assert np.array_equal(a, b), f"{name} differs between stored and procedural connectivity"
    _, times = stored.spikes("exc")
    assert len(times) > 1000  # the network is active, so delivery was exercised


def test_same_synapse_counts(runs):
    stored, procedural = runs
    count = {p["name"]: p.get("synapses") for p in stored.manifest["projections"]}
    assert count == {p["name"]: p.get("synapses") for p in procedural.manifest["projections"]}
    assert count["ee"] > 0 and count["ei"] == 400 * 20 and count["ie"] == 100 * 200 and count["ii"] == 90


def ir_arrays(toolchain, *flags):
    proc = subprocess.run([str(toolchain.gennc), str(toolchain.source("procedural")), "--emit=ir", *flags],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return [line.split()[2] for line in proc.stdout.splitlines() if line.startswith("array ")]


def test_nothing_stored_per_synapse(toolchain):
    stored = ir_arrays(toolchain)
    procedural = ir_arrays(toolchain, "--procedural=all")
    for name in ("ee.column", "ee.weight", "ee.delay", "ie.weight"):
        assert name in stored
        assert name not in procedural
    assert "ii.column" not in stored  # a one_to_one is diagonal unless procedural: no columns either way
    assert not [a for a in procedural if a.split(".")[-1] in ("column", "weight", "delay")]
    assert {"ee.row_pointer", "ei.row_pointer", "ie.row_pointer", "ii.row_pointer"} <= set(procedural)


def test_row_state_in_registers(toolchain, tmp_path):
    # The row generator's connector and cursor must not spill to local memory on the GPU
    # (docs/gpu.md, Procedural connectivity): no kernel entry of the PTX keeps a local depot.
    ptx = tmp_path / "procedural.ptx"
    proc = subprocess.run([str(toolchain.gennc), str(toolchain.source("procedural")), "--procedural=all",
                           "--emit=ptx", "-o", str(ptx)], capture_output=True, text=True)
    if proc.returncode != 0 and "libdevice, which is not installed" in proc.stderr:
        pytest.skip("no libdevice: " + proc.stderr.strip())
    assert proc.returncode == 0, proc.stderr
    text = ptx.read_text()
    entries = list(re.finditer(r"^\.visible \.entry (\w+)\(.*?^}", text, flags=re.S | re.M))
    assert entries
    assert "gennc_rand_row" not in text  # inlined, not called
    for entry in entries:
        assert "__local_depot" not in entry.group(0), entry.group(1)
