# Connection lists and matrices between assemblies (networks/assembly_lists.gdsl): each
# population pair takes the rows, or the block of the matrix, of its own neurons,
# renumbered within its populations, as PyNN numbers an assembly's cells one population
# after the other.
import ctypes

import numpy as np

from e2e_support import Simulation


def rows(sim, name, weight=None):
    """The (pre, post, weight) triples of projection `name`, from its stored rows (`weight`:
    the projection's one weight, which no per-synapse array holds)."""
    pointer = sim.array(f"{name}.row_pointer").astype(int)
    column = sim.array(f"{name}.column").astype(int) if pointer[-1] else np.array([], int)
    if weight is not None:
        weight = np.full(len(column), weight)
    else:
        weight = sim.array(f"{name}.weight") if pointer[-1] else np.array([])
    pre = np.repeat(np.arange(len(pointer) - 1), np.diff(pointer))
    return sorted(zip(pre.tolist(), column.tolist(), np.round(weight, 9).tolist()))


def test_lists_and_matrices_split_by_population_pair(toolchain, tmp_path):
    sim = Simulation(ctypes.CDLL(str(toolchain.compile("assembly_lists", "--shared"))), 1)
    # Assembly rows (0,0) (4,1) (6,2) (1,2) (2,4): a is 0-2, b 3-6; post 0-2, other 3-4.
    assert rows(sim, "listed.0_0") == [(0, 0, 1.0), (1, 2, 0.5)]
    assert rows(sim, "listed.0_1") == [(2, 1, 1.5)]
    assert rows(sim, "listed.1_0") == [(1, 1, 2.0), (3, 2, 3.0)]
    assert rows(sim, "listed.1_1") == []
    # The 7 x 2 matrix onto `other`: a's block is rows 0-2, b's rows 3-6.
    assert rows(sim, "matrix.0_0", 0.25) == [(0, 0, 0.25), (2, 1, 0.25)]
    assert rows(sim, "matrix.1_0", 0.25) == [(1, 0, 0.25), (1, 1, 0.25), (3, 1, 0.25)]
    sim.close()


def test_assembly_list_drives_the_cells_as_in_nest(toolchain, tmp_path):
    results = toolchain.simulate("assembly_lists", tmp_path / "results")
    _, v, _ = results.variable("post.v")
    # pyNN.nest 3.10 (PyNN 0.13) on the same cells and list (a + b -> post, FromListConnector):
    # the largest v of each cell in 20 ms.
    np.testing.assert_allclose(v.max(axis=0), [-61.8502, -58.7023, -54.0992], atol=1e-4)
