"""Models written in GDSL used from PyNN: pynn_gennc.native_cell_type, native_synapse_type
and native_electrode_type."""
import numpy as np
import pytest

import pynn_gennc as sim

# The membrane of IF_curr_exp, written by a user, with one receptor and a recordable
# adaptation-free extra state variable `u` that only decays.
USER_MODELS = """
import pynn
neuron UserLIF {
  parameters { cm: nF = 1.0;  tau_m: ms = 20.0;  tau_refrac: ms = 0.1;  tau_syn_E: ms = 5.0
               v_rest: mV = -65.0;  v_reset: mV = -65.0;  v_thresh: mV = -50.0;  i_offset: nA = 0.0 }
  state { v: mV = -65.0;  u: real = 0.0 }
  input { i_syn: nA }
  receptor excitatory: CurrExpPostSynapticResponse(tau_syn = tau_syn_E)
  equations { v' = (v_rest - v) / tau_m + (i_syn + i_offset) / cm
              u' = -u / tau_m }
  threshold v >= v_thresh
  reset { v = v_reset }
  refractory tau_refrac
}
spike_source Metronome {
  parameters { interval: ms = 10.0 }
  state { next: ms = 5.0 }
  threshold t >= next
  reset { next = t + interval }
}
synapse Doubled {
  parameters { weight: weight = 0.0;  delay: ms = 1.0 }
  on pre { emit(2 * weight) }
}
current_source Constant {
  parameters { amplitude: nA = 0.0 }
  output i_syn += amplitude
}
"""


def run(cell_type, synapse_type, weight, source_type=None, **source):
    # On the grid: the standard IF_curr_exp would be precise off it, a user's model is not.
    sim.setup(timestep=0.1, min_delay=0.1, spike_precision="on_grid")
    drive = sim.Population(1, sim.SpikeSourceArray(spike_times=np.arange(5.0, 100.0, 10.0)))
    cells = sim.Population(2, cell_type)
    sim.Projection(drive, cells, sim.AllToAllConnector(), synapse_type(weight=weight, delay=1.0),
                   receptor_type="excitatory")
    (source_type or sim.DCSource)(**source).inject_into(cells[1:2])
    cells.record(["spikes", "v"])
    sim.run(100.0)
    segment = cells.get_data().segments[0]
    spikes = [list(s.magnitude) for s in segment.spiketrains]
    v = segment.filter(name="v")[0].magnitude
    sim.end()
    return spikes, v


def test_user_models_equal_the_standard_ones(tmp_path):
    """A user's copy of IF_curr_exp, a synapse emitting twice its weight and a constant
    current source give exactly the standard models' trace (with the weight doubled)."""
    path = tmp_path / "user.gdsl"
    path.write_text(USER_MODELS)
    UserLIF = sim.native_cell_type("UserLIF", str(path))
    Doubled = sim.native_synapse_type("Doubled", str(path))
    Constant = sim.native_electrode_type("Constant", str(path))
    assert UserLIF.default_parameters["tau_m"] == 20.0
    assert UserLIF.default_initial_values == {"v": -65.0, "u": 0.0}
    assert "u" in UserLIF.recordable and UserLIF.receptor_types == ("excitatory",)

    expected = run(sim.IF_curr_exp(tau_m=15.0), sim.StaticSynapse, 3.0, amplitude=1.2)
    got = run(UserLIF(tau_m=15.0), Doubled, 1.5, Constant, amplitude=1.2)
    assert sum(len(s) for s in expected[0]) > 3
    assert got[0] == expected[0]
    np.testing.assert_allclose(got[1], expected[1], atol=1e-9)


def test_native_spike_source_and_recordable_state():
    """GDSL text (not a file) works too; the source's spikes and a state variable are
    recorded."""
    Metronome = sim.native_cell_type("Metronome", USER_MODELS)
    UserLIF = sim.native_cell_type("UserLIF", USER_MODELS)
    sim.setup(timestep=0.1)
    source = sim.Population(1, Metronome(interval=20.0))
    cell = sim.Population(1, UserLIF())
    cell.initialize(u=1.0)
    source.record("spikes")
    cell.record("u")
    sim.run(100.0)
    times = source.get_data().segments[0].spiketrains[0].magnitude
    u = cell.get_data().segments[0].filter(name="u")[0].magnitude[:, 0]
    sim.end()
    # fires in the step where t >= next, stamped at the step's end
    np.testing.assert_allclose(times, [5.1, 25.1, 45.1, 65.1, 85.1], atol=1e-9)
    np.testing.assert_allclose(u[[0, 200, 1000]], np.exp(-np.array([0.0, 20.0, 100.0]) / 20.0), rtol=1e-9)


def test_unknown_model_is_a_clear_error():
    from pyNN.errors import NoModelAvailableError
    with pytest.raises(NoModelAvailableError, match="no model Nope"):
        sim.native_cell_type("Nope", USER_MODELS)
    with pytest.raises(NoModelAvailableError, match="not a cell model"):
        sim.native_cell_type("Doubled", USER_MODELS)
