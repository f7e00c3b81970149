# Fused sources (docs/ir.md, "Fused sources"): fuse_source_delivery compiles a Poisson source
# that drives a whole population one to one into that population's update. The fusion must
# change nothing: recording a source's spikes keeps it apart (its spikes are then needed),
# so the same network with every source recorded is the unfused reference, and both runs
# must give bitwise the same spikes and traces of the targets. One worker thread: the
# recurrent projections' float atomics then add in one order, so every run is reproducible.
import re
import subprocess

from e2e_support import assert_same_recordings

SOURCES = ["drive_e", "brake_e", "late_e", "drive_i"]
TARGETS = ["exc.spikes", "inh.spikes", "exc.v", "inh.v", "exc.excitatory.isyn"]
LAYERS = ["L23e", "L23i", "L4e", "L4i", "L5e", "L5i", "L6e", "L6i"]


def with_sources_recorded(toolchain, folder, name, sources):
    """The network `name` with a `record <source>.spikes` line for each source."""
    text = toolchain.source(name).read_text()
    end = text.rindex("}")
    path = folder / f"{name}_recorded.gdsl"
    path.write_text(text[:end] + "".join(f"  record {s}.spikes\n" for s in sources) + text[end:])
    return path


def step_kernels(toolchain, source):
    ir = subprocess.run([str(toolchain.gennc), str(source), "--emit=ir"], capture_output=True, text=True, check=True)
    return re.search(r"^step_schedule:(.*)$", ir.stdout, re.M).group(1).split()


def test_sources_fuse_only_when_unrecorded(toolchain, tmp_path):
    fused = step_kernels(toolchain, toolchain.source("fused_sources"))
    assert fused == ["exc.update", "inh.update", "ee.pre", "ei.pre", "ie.pre"]
    apart = step_kernels(toolchain, with_sources_recorded(toolchain, tmp_path, "fused_sources", SOURCES))
    for s in SOURCES:
        assert f"{s}.update" in apart
    assert len(apart) == len(fused) + 2 * len(SOURCES)


def test_fused_run_is_bitwise_the_unfused_one(toolchain, tmp_path):
    fused = toolchain.simulate("fused_sources", tmp_path / "fused", threads=1)
    unfused = toolchain.simulate(with_sources_recorded(toolchain, tmp_path, "fused_sources", SOURCES),
                                 tmp_path / "unfused", threads=1)
    assert_same_recordings(fused, unfused, TARGETS, "between the fused and the unfused run")
    neurons, _ = fused.spikes("exc")
    assert len(neurons) > 500  # the targets fire, so the fused input mattered
    # The unfused run delivered what its sources emitted; the fused one the same.
    assert len(unfused.spikes("drive_e")[0]) > 100000


def test_microcircuit_targets_unchanged(toolchain, tmp_path):
    sources = [f"bg_{layer}" for layer in LAYERS]
    assert not any(f"{s}.update" in k for s in sources for k in step_kernels(toolchain, toolchain.source("potjans_diesmann_scaled")))
    fused = toolchain.simulate("potjans_diesmann_scaled", tmp_path / "fused", "--duration", "100", threads=1)
    unfused = toolchain.simulate(with_sources_recorded(toolchain, tmp_path, "potjans_diesmann_scaled", sources),
                                 tmp_path / "unfused", "--duration", "100", threads=1)
    assert_same_recordings(fused, unfused, [f"{layer}.spikes" for layer in LAYERS] + [f"{layer}.v" for layer in LAYERS],
                           "between the fused and the unfused run")
