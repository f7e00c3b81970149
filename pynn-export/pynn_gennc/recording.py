"""Recording: PyNN's Recorder over the compiled network's recordings.

Each recorded variable of a population becomes one GDSL `record` line over the recorded
neurons; data come back through gennc_get_spikes / gennc_get_samples. When the network is
compiled again in the middle of a run, what was recorded so far is pulled out first and
joined with what the new network records.
"""
import numpy as np
from pyNN import recording

from . import simulator
from .standardmodels import INTERNAL_SCALE


class Recorder(recording.Recorder):
    _simulator = simulator

    def _record(self, variable, new_ids, sampling_interval=None):
        if sampling_interval is not None:
            steps = sampling_interval / simulator.state.dt
            if abs(steps - round(steps)) > 1e-9 or round(steps) < 1:
                raise ValueError("sampling_interval %g ms is not a whole number of time steps (dt = %g ms)"
                                 % (sampling_interval, simulator.state.dt))
            self.sampling_interval = sampling_interval
        if new_ids:
            simulator.state.structure_change()

    def _reset(self):
        simulator.state.structure_change()

    # ---- GDSL ---------------------------------------------------------------------------
    def _path(self, variable):
        return "spikes" if variable.name == "spikes" else self.population.variable_path(variable.name)

    def _indices(self, variable):
        ids = sorted(self.recorded[variable])
        return self.population.id_to_index(np.array(ids, dtype=int)) if ids else np.array([], int)

    def gdsl_lines(self):
        from .gdsl import number, selection_text
        lines = []
        pop = self.population
        for variable in sorted(self.recorded, key=lambda v: v.name):
            indices = self._indices(variable)
            if len(indices) == 0:
                continue
            target = "%s.%s" % (selection_text(pop.gdsl_name, indices, pop.size), self._path(variable))
            if variable.name == "spikes":
                lines.append("record %s" % target)
            else:
                lines.append("record %s every %s ms" % (target, number(self.sampling_interval)))
        return lines

    # ---- data ---------------------------------------------------------------------------
    def _find(self, sim, variable):
        for k, desc in enumerate(sim.recordings()):
            path = self._path(variable)
            wanted = path if path == "spikes" else "%s.%s" % (self.population.gdsl_name, path)
            if desc.population.decode() == self.population.gdsl_name and desc.variable.decode() == wanted:
                return k, desc
        return None, None

    def pull(self, sim):
        """Keeps what `sim` recorded, before it is replaced by a newly compiled network."""
        carried = simulator.state.carried
        for variable in self.recorded:
            k, desc = self._find(sim, variable)
            if k is None:
                continue
            key = (self.population.gdsl_name, variable.name)
            data = sim.spikes(k) if variable.name == "spikes" else sim.samples(k)
            carried.setdefault(key, []).append(data)

    def _chunks(self, variable):
        state = simulator.state
        chunks = list(state.carried.get((self.population.gdsl_name, variable.name), []))
        if state.sim is not None:
            k, desc = self._find(state.sim, variable)
            if k is not None:
                chunks.append(state.sim.spikes(k) if variable.name == "spikes" else state.sim.samples(k))
        return chunks

    def _get_spiketimes(self, ids, clear=False):
        from pyNN.recording import Variable
        variable = Variable(name="spikes", location=None, label=None)
        neurons, times = [], []
        for n, t in self._chunks(variable):
            neurons.append(n)
            times.append(t)
        neurons = np.concatenate(neurons) if neurons else np.array([], np.uint32)
        times = np.concatenate(times) if times else np.array([], float)
        cell_ids = self.population.all_cells[neurons.astype(np.int64)].astype(int)
        wanted = np.isin(cell_ids, np.array([int(i) for i in ids], dtype=int))
        start = float(self._recording_start_time)
        wanted &= times >= start - 1e-9
        return cell_ids[wanted], times[wanted].copy()

    def _get_all_signals(self, variable, ids, clear=False):
        pop = self.population
        columns, times, rows = None, [], []
        for values, t, neurons in self._chunks(variable):
            columns = neurons
            rows.append(values)
            times.append(t)
        if columns is None or len(ids) == 0:
            return np.zeros((0, len(ids))), None
        values = np.concatenate(rows)
        times = np.concatenate(times)
        # A network compiled again mid-run samples its first step again: keep the first.
        times, first = np.unique(np.round(times, 9), return_index=True)
        values = values[first]
        start = float(self._recording_start_time)
        keep = times >= start - 1e-9
        values = values[keep]
        index = {int(n): k for k, n in enumerate(columns)}
        wanted = [index[int(i)] for i in pop.id_to_index(np.array([int(i) for i in ids], dtype=int))]
        scale = INTERNAL_SCALE.get(pop.celltype.units.get(variable.name, ""), 1.0)
        return values[:, wanted] / scale, None

    def _local_count(self, variable, filter_ids=None):
        ids = self.filter_recorded(variable, filter_ids)
        cell_ids, _ = self._get_spiketimes(ids)
        counts = {int(i): 0 for i in ids}
        unique, n = np.unique(cell_ids, return_counts=True)
        for i, c in zip(unique, n):
            counts[int(i)] = int(c)
        return counts

    def _clear_simulator(self):
        # The runtime clears every recording at once: keep the other populations' data.
        state = simulator.state
        if state.sim is not None:
            for recorder in state.recorders:
                if recorder is not self:
                    recorder.pull(state.sim)
            state.sim.clear_recordings()
        for variable in self.recorded:
            state.carried.pop((self.population.gdsl_name, variable.name), None)
