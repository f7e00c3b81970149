# Fused current sources (docs/ir.md, "Fused current sources"): fuse_current_injection
# compiles a current source injected into a whole population into that population's update.
# The fusion must change nothing: `gennc --no-fuse` keeps every source apart, and both runs
# must give bitwise the same spikes, traces and recorded source amplitudes.
import re
import subprocess

import numpy as np

from e2e_support import assert_same_recordings

RECORDINGS = ["exc.spikes", "inh.spikes", "exc.v", "inh.v", "exc.excitatory.isyn", "noise_e.amplitude",
              "noise_i.amplitude"]
DELIVERIES = ["ee.pre", "ei.pre", "ie.pre", "ii.pre"]


def ir(toolchain, source, *flags):
    return subprocess.run([str(toolchain.gennc), str(source), "--emit=ir", *flags], capture_output=True, text=True,
                          check=True).stdout


def step_kernels(toolchain, source, *flags):
    return re.search(r"^step_schedule:(.*)$", ir(toolchain, source, *flags), re.M).group(1).split()


def noise_only(toolchain, folder):
    """The network with its noise sources only: fused, its step is two stages."""
    lines = toolchain.source("fused_injection").read_text().splitlines(keepends=True)
    path = folder / "fused_injection_noise.gdsl"
    dropped = ("inject pulse", "inject dc_i", "inject ac_i")
    path.write_text("".join(line for line in lines if not line.lstrip().startswith(dropped)))
    return path


def test_the_last_source_into_a_whole_population_fuses(toolchain):
    source = toolchain.source("fused_injection")
    assert step_kernels(toolchain, source) == ["pulse.inject", "dc_i.inject", "ac_i.inject", "exc.update",
                                               "inh.update", *DELIVERIES]
    assert step_kernels(toolchain, source, "--no-fuse") == [
        "pulse.inject", "noise_e.inject", "dc_i.inject", "ac_i.inject", "noise_i.inject", "exc.update", "inh.update",
        *DELIVERIES]


def test_fused_run_is_bitwise_the_unfused_one(toolchain, tmp_path):
    fused = toolchain.simulate("fused_injection", tmp_path / "fused", threads=1)
    unfused = toolchain.simulate("fused_injection", tmp_path / "unfused", flags=("--no-fuse",), threads=1)
    assert_same_recordings(fused, unfused, RECORDINGS, "between the fused and the unfused run")
    # The currents mattered: both populations fire, and the noises were drawn (inh's only
    # within [50, 350) ms, 0 outside).
    for population in ("exc", "inh"):
        assert len(fused.spikes(population)[0]) > 500, population
    times, amplitude, _ = fused.variable("noise_i.amplitude")
    inside = (times >= 51) & (times < 350)
    assert np.all(amplitude[inside] != 0) and np.all(amplitude[times < 50] == 0)
    assert len(np.unique(amplitude[inside])) > 1000


def test_fused_steps_overlapped_on_threads(toolchain, tmp_path):
    """With its noise sources only the fused step is updates then deliveries, which the CPU
    engine may overlap over threads (docs/runtime.md, Steps overlapped): two threads still
    give the unfused one-thread run's bits."""
    source = noise_only(toolchain, tmp_path)
    text = ir(toolchain, source)
    assert re.findall(r"^stage \d+:", text, re.M) == ["stage 0:", "stage 1:"]
    fused = toolchain.simulate(source, tmp_path / "fused", threads=2)
    unfused = toolchain.simulate(source, tmp_path / "unfused", flags=("--no-fuse",), threads=1)
    assert_same_recordings(fused, unfused, RECORDINGS, "between the fused run on two threads and the unfused one")
