# PyNN's write_data through Neo's IO formats (PyNN picks the IO by the file's extension:
# .pkl PickleIO, .h5 and .nix NixIO, .mat NeoMatlabIO): each file read back by Neo holds
# the spike trains and membrane traces that get_data() returns, to the last bit.
import neo
import numpy as np
import pytest

import pynn_gennc as sim


@pytest.mark.parametrize("extension, io", [("pkl", neo.io.PickleIO), ("h5", neo.io.NixIO),
                                           ("nix", neo.io.NixIO), ("mat", neo.io.NeoMatlabIO)])
def test_write_data_reads_back(tmp_path, extension, io):
    sim.setup(timestep=0.1, min_delay=0.1)
    cells = sim.Population(4, sim.IF_curr_exp(i_offset=[0.5, 1.0, 1.5, 2.0]), label="cells")
    cells.record(["spikes", "v"])
    sim.run(60.0)
    expected = cells.get_data().segments[0]
    path = tmp_path / ("cells." + extension)
    cells.write_data(str(path))
    sim.end()
    reader = io(str(path), mode="ro") if io is neo.io.NixIO else io(str(path))
    segment = reader.read_block().segments[0]
    if io is neo.io.NixIO:
        reader.close()
    assert sum(len(t) for t in expected.spiketrains) > 10
    got_trains = sorted(segment.spiketrains, key=lambda t: t.annotations.get("source_index", 0))
    want_trains = sorted(expected.spiketrains, key=lambda t: t.annotations.get("source_index", 0))
    for got, want in zip(got_trains, want_trains):
        np.testing.assert_array_equal(np.asarray(got.rescale("ms")), np.asarray(want.rescale("ms")))
    assert len(got_trains) == len(want_trains)
    got_v = [s for s in segment.analogsignals if s.name == "v"][0]
    want_v = [s for s in expected.analogsignals if s.name == "v"][0]
    np.testing.assert_array_equal(np.asarray(got_v.rescale("mV")), np.asarray(want_v.rescale("mV")))
