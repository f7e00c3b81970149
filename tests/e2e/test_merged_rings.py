# Merged rings (docs/ir.md, "Merged rings"): merge_receptor_rings gives IF_curr_delta's
# excitatory and inhibitory receptors one ring, which every delivery and fused source adds
# into; `gennc --no-merge-rings` keeps a ring each. Built with weights whose sums are exact
# and v within one binade (networks/merged_rings.gdsl), the compiled sims of both give
# bitwise the same spikes and traces.
import re
import subprocess

import numpy as np

from e2e_support import assert_same_recordings


def rings(toolchain, *flags):
    text = subprocess.run([str(toolchain.gennc), str(toolchain.source("merged_rings")), "--emit=ir", *flags],
                          capture_output=True, text=True, check=True).stdout
    return sorted(re.findall(r"^array \d+ (\S+\.ring) ", text, re.M))


def test_each_population_has_one_ring(toolchain):
    assert rings(toolchain) == ["exc.excitatory+inhibitory.ring", "inh.excitatory+inhibitory.ring"]
    assert rings(toolchain, "--no-merge-rings") == ["exc.excitatory.ring", "exc.inhibitory.ring",
                                                     "inh.excitatory.ring", "inh.inhibitory.ring"]


def test_one_ring_runs_bitwise_as_two(toolchain, tmp_path):
    merged = toolchain.simulate("merged_rings", tmp_path / "merged", threads=1)
    apart = toolchain.simulate("merged_rings", tmp_path / "apart", flags=("--no-merge-rings",), threads=1)
    assert_same_recordings(merged, apart, ["exc.spikes", "inh.spikes", "exc.v", "inh.v"],
                           "between one ring and two")
    # The premise held: both populations fired, and v stayed in (-64, -32) mV.
    for population in ("exc", "inh"):
        assert len(merged.spikes(population)[0]) > 200, population
        _, v, _ = merged.variable(population + ".v")
        assert np.all((v > -64) & (v < -32)), population
