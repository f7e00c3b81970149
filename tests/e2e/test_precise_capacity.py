# An event ring that overflows stops the run (docs/ir.md, Precise steps): 20 spikes reach
# one precise cell's excitatory receptor in one step, 4 more than its ring holds, and `sim`
# names population, neuron, receptor and the step that delivered them
# (networks/precise_capacity.gdsl). The fault
# code names the receptor's event count by its array id, which must follow the arrays'
# renumbering (remove_unused_arrays): before, the report named no array at all.
import pytest


@pytest.mark.parametrize("threads", [1, 2])
def test_event_ring_overflow_names_population_neuron_receptor_and_step(toolchain, tmp_path, threads):
    sim = toolchain.compile("precise_capacity")
    proc = toolchain.run_raw(sim, tmp_path / "results", "--threads", str(threads))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ("too many events in population 'cell', neuron 0: more than 16 spikes arrived at receptor "
            "'excitatory' in the step from t = 5 to 5.1 ms") in proc.stderr, proc.stderr
