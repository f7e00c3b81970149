"""pynn_gennc's export: a PyNN script written to GDSL compiles with gennc alone, and the
standalone `sim` gives exactly the in-process run's spikes; its results folder loads as
Neo and draws; set() and reset() between runs behave as PyNN defines them."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import pynn_gennc
from pynn_gennc.compiler import find_gennc

SCRIPT = textwrap.dedent('''
    import sys
    import numpy as np
    import pynn_gennc as sim
    from pyNN.random import NumpyRNG, RandomDistribution
    sim.setup(timestep=0.1, min_delay=0.1)
    rng = NumpyRNG(seed=42)
    exc = sim.Population(100, sim.IF_cond_exp(tau_refrac=2.0), label="exc cells")
    exc.initialize(v=RandomDistribution("uniform", (-65.0, -55.0), rng=rng))
    noise = sim.Population(100, sim.SpikeSourcePoisson(rate=200.0), label="input")
    sim.Projection(noise, exc, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.05, delay=0.5))
    sim.Projection(exc, exc, sim.FixedProbabilityConnector(0.05, rng=rng),
                   sim.StaticSynapse(weight=RandomDistribution("uniform", (0.001, 0.004), rng=rng),
                                     delay=1.0))
    exc.record("spikes")
    sim.run(200.0)
    trains = exc.get_data().segments[0].spiketrains
    pairs = sorted((float(t), int(s.annotations["source_index"])) for s in trains for t in s.magnitude)
    if pairs:
        np.save(sys.argv[1], np.array(pairs))
    sim.end()
''')


def spike_pairs(block):
    return np.array(sorted((float(t), int(s.annotations["source_index"]))
                           for s in block.segments[0].spiketrains for t in s.magnitude))


def test_export_compiles_alone_and_gives_the_same_spikes(tmp_path):
    script = tmp_path / "net.py"
    script.write_text(SCRIPT)
    env = dict(os.environ)
    subprocess.run([sys.executable, str(script), str(tmp_path / "inproc.npy")], check=True, env=env,
                   cwd=tmp_path)
    in_process = np.load(tmp_path / "inproc.npy")
    assert len(in_process) > 100

    out = tmp_path / "export"
    subprocess.run([sys.executable, "-m", "pynn_gennc.export_script", str(script), "-o",
                    str(out / "net.gdsl"), str(tmp_path / "unused.npy")], check=True, env=env, cwd=tmp_path)
    text = (out / "net.gdsl").read_text()
    assert 'population exc_cells = IF_cond_exp(100)' in text
    assert '"exc cells" -> exc_cells' in text          # the renaming is written down
    assert 'from_file("net.exc_cells_exc_cells.conn")' in text
    options = text.splitlines()[1].split("gennc", 1)[1].split("net.gdsl")[0].split()
    subprocess.run([str(find_gennc()), *options, "net.gdsl", "-o", "sim"], check=True, cwd=out)
    subprocess.run(["./sim", "--out", "results", "--quiet"], check=True, cwd=out)

    standalone = spike_pairs(pynn_gennc.load_results(out / "results"))
    np.testing.assert_array_equal(standalone, in_process)

    figure = tmp_path / "raster.png"
    subprocess.run([sys.executable, "-m", "pynn_gennc.results", str(out / "results"), "-o", str(figure)],
                   check=True, env=dict(env, MPLBACKEND="Agg"))
    assert figure.stat().st_size > 1000


DELAYS_SCRIPT = SCRIPT.replace('weight=RandomDistribution("uniform", (0.001, 0.004), rng=rng)', "weight=0.003") \
    .replace("delay=1.0))", 'delay=RandomDistribution("uniform", (0.5, 2.0), rng=rng)))')


def test_export_with_drawn_delays_and_one_weight(tmp_path):
    """Delays that differ per synapse with one weight for all: a PyNN connection file has
    no delay column without a weight column, so the export writes the weight per synapse
    too (before, `sim` refused the file); the standalone run gives the same spikes."""
    assert DELAYS_SCRIPT != SCRIPT
    script = tmp_path / "net.py"
    script.write_text(DELAYS_SCRIPT)
    subprocess.run([sys.executable, str(script), str(tmp_path / "inproc.npy")], check=True, cwd=tmp_path)
    out = tmp_path / "export"
    subprocess.run([sys.executable, "-m", "pynn_gennc.export_script", str(script), "-o",
                    str(out / "net.gdsl"), str(tmp_path / "unused.npy")], check=True, cwd=tmp_path)
    assert "columns = ['i', 'j', 'weight', 'delay']" in (out / "net.exc_cells_exc_cells.conn").read_text()
    text = (out / "net.gdsl").read_text()
    options = text.splitlines()[1].split("gennc", 1)[1].split("net.gdsl")[0].split()
    subprocess.run([str(find_gennc()), *options, "net.gdsl", "-o", "sim"], check=True, cwd=out)
    subprocess.run(["./sim", "--out", "results", "--quiet"], check=True, cwd=out)
    np.testing.assert_array_equal(spike_pairs(pynn_gennc.load_results(out / "results")),
                                  np.load(tmp_path / "inproc.npy"))


def drive(sim):
    sim.setup(timestep=0.1, min_delay=0.1, spike_precision="on_grid")
    cells = sim.Population(2, sim.IF_curr_exp(i_offset=[0.8, 1.2], tau_refrac=2.0), label="cells")
    cells.record("spikes")
    return cells


def spike_lists(segment):
    return [list(np.round(s.magnitude, 6)) for s in segment.spiketrains]


def set_between_runs(sim):
    cells = drive(sim)
    sim.run(100.0)
    cells.set(v_thresh=-53.0)
    sim.run(100.0)
    cells[0:1].set(v_thresh=-51.0)
    sim.run(100.0)
    spikes = spike_lists(cells.get_data().segments[0])
    sim.end()
    return spikes


@pytest.mark.xfail(strict=True, reason="a parameter set between runs shows in NEST's spikes one "
                   "step later than in gennc's (100.2 against 100.1 ms here, for v_thresh, tau_m "
                   "and i_offset alike); which step order is NEST's is the fidelity issue's (10)")
def test_set_between_runs_as_nest():
    """Parameters set after a run act from that time on: spike times equal pyNN.nest's."""
    nest = pytest.importorskip("pyNN.nest")
    expected = set_between_runs(nest)
    got = set_between_runs(pynn_gennc)
    assert sum(len(e) for e in expected) > 10
    assert got == expected


def test_get_after_set_reads_what_was_set():
    """After a run, Projection.set() (and a Connection's value) reaches the network at once:
    get() before the next run reads the new values, as on pyNN.nest, for synapses from
    Python and from gennc alike."""
    pynn_gennc.setup(timestep=0.1, min_delay=0.1)
    cells = pynn_gennc.Population(4, pynn_gennc.IF_cond_exp())
    listed = pynn_gennc.Projection(cells, cells, pynn_gennc.FromListConnector(
        [(2, 0, 0.02), (0, 1, 0.005), (3, 1, 0.03)], column_names=["weight"]),
        pynn_gennc.StaticSynapse(delay=0.5))
    native = pynn_gennc.Projection(cells, cells, pynn_gennc.AllToAllConnector(),
                                   pynn_gennc.StaticSynapse(weight=0.01, delay=1.0))
    pynn_gennc.run(10.0)
    matrix = np.full((4, 4), np.nan)
    matrix[2, 0], matrix[0, 1], matrix[3, 1] = 0.04, 0.0, 0.015
    listed.set(weight=matrix)
    native.set(weight=0.02, delay=2.0)
    assert sorted(listed.get("weight", format="list")) == [(0, 1, 0.0), (2, 0, 0.04), (3, 1, 0.015)]
    assert np.all(native.get("weight", format="array") == 0.02)
    assert np.all(native.get("delay", format="array") == 2.0)
    pynn_gennc.run(10.0)
    assert sorted(listed.get("weight", format="list")) == [(0, 1, 0.0), (2, 0, 0.04), (3, 1, 0.015)]
    # Through a Connection object too.
    first = list(listed.connections)[0]
    first.weight = 0.5
    assert first.weight == 0.5
    assert listed.get("weight", format="list")[0][2] == 0.5
    pynn_gennc.end()


def test_reset_repeats_the_run():
    cells = drive(pynn_gennc)
    cells.initialize(v=-60.0)
    pynn_gennc.run(100.0)
    pynn_gennc.reset()
    pynn_gennc.run(100.0)
    block = cells.get_data()
    pynn_gennc.end()
    assert len(block.segments) == 2
    first, second = spike_lists(block.segments[0]), spike_lists(block.segments[1])
    assert all(len(s) > 0 for s in first)
    assert first == second


@pytest.mark.parametrize("bad", ["not a label!", "network", "2x"])
def test_labels_that_are_not_gdsl_names_are_renamed(bad):
    pynn_gennc.setup()
    pop = pynn_gennc.Population(1, pynn_gennc.IF_curr_exp(i_offset=1.0), label=bad)
    pop.record("spikes")
    pynn_gennc.run(50.0)
    assert len(pop.get_data().segments[0].spiketrains[0]) > 0
    pynn_gennc.end()


def changes_between_runs(runtime_parameters):
    sim = pynn_gennc
    sim.setup(timestep=0.1, min_delay=0.1, runtime_parameters=runtime_parameters, rng_seed=3)
    source = sim.Population(1, sim.SpikeSourcePoisson(rate=200.0))
    cells = sim.Population(3, sim.IF_cond_exp(tau_m=20.0))
    prj = sim.Projection(source, cells, sim.AllToAllConnector(),
                         sim.TsodyksMarkramSynapse(weight=0.05, delay=1.0, U=0.5))
    dc = sim.DCSource(amplitude=1.5, start=0.0, stop=1000.0)
    dc.inject_into(cells)
    cells.record(["spikes", "v"])
    sim.run(100.0)
    cells.set(tau_m=10.0)
    prj.set(weight=0.08, U=0.3)
    dc.amplitude = 2.5
    source.set(rate=400.0)
    sim.run(100.0)
    builds_after_uniform_changes = sim.simulator.state.builds
    cells.set(v_thresh=[-50.0, -52.0, -54.0])
    sim.run(100.0)
    segment = cells.get_data().segments[0]
    result = (spike_lists(segment), segment.filter(name="v")[0].magnitude,
              builds_after_uniform_changes, sim.simulator.state.builds)
    sim.end()
    return result


def test_changes_between_runs_through_arrays_equal_a_recompilation():
    """Uniform changes of neuron, synapse, source and current-source parameters go in
    through gennc_set_array with no compilation; they give exactly what compiling the
    network again (the values as constants, state carried over) gives. A uniform value
    becoming per-neuron compiles once more either way."""
    spikes, v, builds_mid, builds_end = changes_between_runs(True)
    spikes_c, v_c, builds_mid_c, builds_end_c = changes_between_runs(False)
    assert (builds_mid, builds_end) == (1, 2)
    assert (builds_mid_c, builds_end_c) == (2, 3)
    assert all(len(s) > 5 for s in spikes)
    assert spikes == spikes_c
    np.testing.assert_allclose(v, v_c, atol=1e-9)


@pytest.mark.parametrize("spike_precision, expected", [
    ("off_grid", [20.0, 100.03, 100.06, 130.0]),
    ("on_grid", [20.0, 100.1, 100.1, 130.0])])
def test_new_spike_times_mid_run(spike_precision, expected):
    """Spike times given between runs: those not yet emitted are, even within the step
    after the time the run stopped at; earlier ones are not. Off the grid (the default)
    at their exact times; on it rounded up to the grid as the stdlib's SpikeSourceArray
    rounds them (100.03 ms and 100.06 ms both go out at 100.1 ms, as NEST emits two times
    of one step). (pyNN.nest drops 100.03 and 100.06 here: NEST has already simulated one
    min_delay past the stop.)"""
    sim = pynn_gennc
    sim.setup(timestep=0.1, min_delay=0.1, spike_precision=spike_precision)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[20.0]))
    source.record("spikes")
    sim.run(100.0)
    source.set(spike_times=[50.0, 100.03, 100.06, 130.0])
    sim.run(50.0)
    times = list(np.round(source.get_data().segments[0].spiketrains[0].magnitude, 6))
    sim.end()
    assert times == expected


@pytest.mark.parametrize("spike_precision", ["on_grid", "off_grid"])
def test_new_spike_times_with_a_new_population(spike_precision):
    """New spike times on a view of a source, given with a new population in the same pause
    (the network compiled again with both): a cell driven by them behaves as in one run
    that had those times from the start. Before, the source's bookkeeping was carried over
    from the old network and skipped or lost times."""
    def run(split):
        sim = pynn_gennc
        sim.setup(timestep=0.1, min_delay=0.1, spike_precision=spike_precision)
        cells = sim.Population(3, sim.IF_curr_exp(i_offset=[0.6, 0.9, 1.2]))
        late = [40.0, 55.0, 60.0, 65.0, 80.0] if not split else [40.0, 60.0, 80.0]
        source = sim.Population(3, sim.SpikeSourceArray(spike_times=[[5.0, 30.0], [12.0], late]))
        sim.Projection(source, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5, delay=1.0))
        cells.record("v")
        source.record("spikes")
        sim.run(50.0)
        if split:
            other = sim.Population(2, sim.IF_curr_exp())
            sim.Projection(cells, other, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.2, delay=2.0))
            source[2:3].set(spike_times=[[55.0, 60.0, 65.0, 80.0]])
        sim.run(50.0)
        segment = cells.get_data().segments[0]
        v = segment.filter(name="v")[0].magnitude.copy()
        times = [list(t.magnitude) for t in source.get_data().segments[0].spiketrains]
        sim.end()
        return v, times
    v_one, times_one = run(False)
    v_split, times_split = run(True)
    assert times_split == times_one
    np.testing.assert_array_equal(v_split, v_one)
