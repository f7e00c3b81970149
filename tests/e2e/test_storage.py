# Storage forms (docs/gpu.md, "Storage forms"): dense rows (no columns, synapse i n_post + j),
# diagonal one_to_ones (synapse i, no row loop) and bitmasks (one bit per candidate pair)
# hold the same synapses, weights and delays as the stored CSR rows, so the same network
# must give bitwise the same spike trains and traces whichever form each projection takes.
import ctypes
import re
import subprocess

import numpy as np
import pytest

from e2e_support import Simulation

RECORDINGS = ["exc.spikes", "inh.spikes", "exc.v", "inh.inhibitory.isyn"]
FORMS = {"ei": "dense", "ie": "dense", "ee": "bitmask", "ii": "bitmask", "en": "bitmask", "ep": "sparse"}


def variant(toolchain, folder, name, edit):
    """The storage network with `edit(projection name, its text)` applied to each projection."""
    text = toolchain.source("storage").read_text()
    text = re.sub(r"(  projection (\w+) = .*?onto \w+)", lambda m: edit(m.group(2), m.group(1)), text, flags=re.S)
    path = folder / f"{name}.gdsl"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def runs(toolchain, tmp_path_factory):
    out = tmp_path_factory.mktemp("storage")
    sparse = variant(toolchain, out, "all_sparse", lambda name, text: text + " as sparse")
    bitmask = variant(toolchain, out, "ep_bitmask", lambda name, text: text + (" as bitmask" if name == "ep" else ""))
    # One thread: float atomics then add in one order, so every run is reproducible.
    return [toolchain.simulate(source, out / source.stem, threads=1)
            for source in (sparse, toolchain.source("storage"), bitmask)]


def test_same_spikes_and_traces(runs):
    stored, *others = runs
    for other in others:
        for name in RECORDINGS:
            a = np.load(stored.folder / stored.recordings[name]["file"])
            b = np.load(other.folder / other.recordings[name]["file"])
            assert a.shape == b.shape and a.size > 0, name
            assert np.array_equal(a, b), f"{name} differs between sparse and {other.folder.name}"
    _, times = stored.spikes("exc")
    assert len(times) > 1000  # the network is active, so delivery was exercised


def test_same_synapse_counts(runs):
    stored, automatic, _ = runs
    count = {p["name"]: p.get("synapses") for p in stored.manifest["projections"]}
    assert count == {p["name"]: p.get("synapses") for p in automatic.manifest["projections"]}
    assert count["ei"] == 400 * 100 and count["ie"] == 34 * 390 and count["ii"] == 100 * 99 and count["en"] == 2000


def test_gpu_reference_is_the_sparse_twin(toolchain, tmp_path):
    # The GPU cases compare with tests/gpu/networks/storage_sparse.gdsl: this network, stored.
    ours = variant(toolchain, tmp_path, "all_sparse", lambda name, text: text + " as sparse").read_text()
    twin = (toolchain.root / "tests" / "gpu" / "networks" / "storage_sparse.gdsl").read_text()
    assert twin[twin.index("import pynn"):] == ours[ours.index("import pynn"):]


def emit_ir(toolchain, source):
    proc = subprocess.run([str(toolchain.gennc), str(source), "--emit=ir"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_automatic_forms_keep_no_columns(toolchain):
    ir = emit_ir(toolchain, toolchain.source("storage"))
    arrays = [line.split()[2] for line in ir.splitlines() if line.startswith("array ")]
    forms = {}
    for line in ir.splitlines():
        m = re.match(r"projection \d+ (\w+) =", line)
        if m:
            name = m.group(1)
        m = re.search(r" columns (dense|bitmask|@\S+)", line)
        if m:
            forms[name] = m.group(1) if not m.group(1).startswith("@") else "sparse"
    assert forms == FORMS
    for name, form in FORMS.items():
        assert (f"{name}.column" in arrays) == (form == "sparse"), name
        assert (f"{name}.bitmask" in arrays) == (form == "bitmask"), name
    # Dense rows keep their drawn values per synapse; bitmasks keep nothing per synapse.
    assert {"ei.weight", "ei.delay", "ie.weight"} <= set(arrays)
    assert not [a for a in arrays if a.split(".")[0] in ("ee", "ii", "en") and a.split(".")[-1] in ("weight", "delay")]
    # ee: 400 rows of ceil(400 / 32) = 13 words; en: 200 rows of ceil(70 / 32) = 3 words.
    assert re.search(r"array \d+ ee\.bitmask u32 list\(5200\)", ir) and re.search(r"array \d+ en\.bitmask u32 list\(600\)", ir)


def test_checkpoint_round_trip(toolchain, tmp_path):
    # Dense values and bitmask words are saved and restored like stored rows: a run loaded
    # from a checkpoint continues exactly.
    library = ctypes.CDLL(str(toolchain.compile("storage", "--shared")))
    path = tmp_path / "middle.ckpt"
    whole = Simulation(library, 1)
    whole.run(1000)
    whole.save(path)
    whole.run(1000)
    expected = whole.spikes("exc.spikes"), whole.array("ee.bitmask", 5200), whole.array("ei.weight", 40000)
    whole.close()
    rest = Simulation(library, 1)
    rest.load(path)
    rest.run(1000)
    got = rest.spikes("exc.spikes"), rest.array("ee.bitmask", 5200), rest.array("ei.weight", 40000)
    rest.close()
    neurons, times = expected[0]
    later = times > 100.0 + 1e-9
    assert later.sum() > 100
    assert np.array_equal(got[0][0], neurons[later]) and np.array_equal(got[0][1], times[later])
    assert np.array_equal(got[1], expected[1]) and np.array_equal(got[2], expected[2])


def diagonal_variant(toolchain, folder):
    """The diagonal network with every projection `as sparse`."""
    text = toolchain.source("diagonal").read_text()
    text = re.sub(r"(  projection \w+ = .*?onto \w+)", lambda m: m.group(1) + " as sparse", text, flags=re.S)
    path = folder / "diagonal_sparse.gdsl"
    path.write_text(text)
    return path


def test_diagonal_same_spikes_and_traces(toolchain, tmp_path):
    # A diagonal synapse i has the index its stored twin has, so drawn weights and delays match.
    stored, diagonal = (toolchain.simulate(source, tmp_path / source.stem, threads=1)
                        for source in (diagonal_variant(toolchain, tmp_path), toolchain.source("diagonal")))
    for name in ["exc.spikes", "inh.spikes", "exc.v", "inh.excitatory.isyn"]:
        a = np.load(stored.folder / stored.recordings[name]["file"])
        b = np.load(diagonal.folder / diagonal.recordings[name]["file"])
        assert a.shape == b.shape and a.size > 0, name
        assert np.array_equal(a, b), f"{name} differs between sparse and diagonal"
    count = {p["name"]: p.get("synapses") for p in stored.manifest["projections"]}
    assert count == {p["name"]: p.get("synapses") for p in diagonal.manifest["projections"]}
    assert count["oo"] == 400 and count["oi"] == 100 and count["io"] == 100
    _, times = stored.spikes("inh")
    assert len(times) > 100  # the one_to_one inputs drive inh, so delivery was exercised


def test_diagonal_keeps_no_columns(toolchain):
    ir = emit_ir(toolchain, toolchain.source("diagonal"))
    arrays = [line.split()[2] for line in ir.splitlines() if line.startswith("array ")]
    forms = dict(re.findall(r"projection \d+ (\w+) =.*\n.* columns (\w+)", ir))
    assert forms == {"ee": "bitmask", "oo": "diagonal", "oi": "diagonal", "io": "diagonal"}
    for name in ("oo", "oi", "io"):
        assert f"{name}.column" not in arrays, name
    # Drawn values stay per synapse, indexed by the synapse's pre position.
    assert {"oo.weight", "oo.delay", "oi.weight", "oi.delay", "io.weight"} <= set(arrays)
    # The delivery kernels load no row pointers for diagonal rows.
    for name in ("oo", "oi", "io"):
        kernel = re.search(rf"kernel \d+ {name}\.pre .*?\n}}", ir, flags=re.S).group(0)
        assert "row_pointer" not in kernel and "for " not in kernel, name
