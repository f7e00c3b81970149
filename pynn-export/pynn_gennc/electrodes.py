"""PyNN's current sources as GDSL `inject` statements (stdlib/electrodes).

A source injected into cells of several populations becomes one `inject` per population.
Its parameters go in as the source's arguments; a change between runs goes in through the
runtime when the compiled network keeps the value as an array, else the network is
compiled again. The recorded current of the deterministic sources is their defining
function on the time grid, as the stdlib model computes it each step.
"""
import numpy as np
from pyNN.parameters import ParameterSpace, Sequence
from pyNN.standardmodels import build_translations, electrodes

from . import simulator
from .gdsl import number, number_list, selection_text
from .projections import positions
from .standardmodels import INTERNAL_SCALE


class CurrentSource:
    """What the four PyNN sources share: targets, GDSL, changes between runs."""

    def __init__(self, **parameters):
        self._cells = []
        self._recording = False
        self._pushed = None
        self._params = {}
        space = ParameterSpace(self.default_parameters, self.get_schema(), shape=(1,))
        space.update(**parameters)
        self.set_native_parameters(space)
        simulator.state.current_sources.append(self)

    def inject_into(self, cells):
        for id in cells:
            if not id.celltype.injectable:
                raise TypeError("Can't inject current into a spike source.")
        self._cells.append(cells)
        simulator.state.structure_change()

    def set_native_parameters(self, parameters):
        parameters.shape = (1,)
        parameters.evaluate(simplify=True)
        for name, value in parameters.items():
            if isinstance(value, Sequence):
                value = np.asarray(value.value, float)
            elif isinstance(value, np.ndarray) and value.dtype == object:
                value = np.asarray(value[0].value, float)
            elif isinstance(value, np.ndarray):
                value = float(value.ravel()[0]) if value.size == 1 else value.astype(float)
            self._params[name] = value if isinstance(value, np.ndarray) else float(value)

    def get_native_parameters(self):
        return ParameterSpace(dict(self._params))

    def _values(self):
        return dict(self._params)

    def _arguments(self):
        args = []
        for name, value in self._values().items():
            args.append("%s = %s" % (name, number_list(value) if isinstance(value, np.ndarray)
                                     else number(value)))
        return ", ".join(args)

    def gdsl_lines(self, first_injection):
        """The `inject` lines (and `record` lines for a recorded source with state). gennc
        names the k-th injection of the network <Model><k>; a recorded source's injections
        are named, so that their state can be recorded."""
        self._pushed = self._values()
        self._injection_names = []
        lines = []
        record = self._recording and self.recorded_state is not None
        for cells in self._cells:
            pops, owners, index = positions(cells) if not isinstance(cells, (list, tuple)) \
                else _positions_of_ids(cells)
            for k, pop in enumerate(pops):
                chosen = np.unique(index[owners == k])
                target = selection_text(pop.gdsl_name, chosen, pop.size)
                if record:
                    name = self._named(len(self._injection_names))
                    lines.append("inject %s = %s(%s) into %s" % (name, type(self).__name__,
                                                                self._arguments(), target))
                else:
                    name = "%s%d" % (type(self).__name__, first_injection + len(lines))
                    lines.append("inject %s(%s) into %s" % (type(self).__name__, self._arguments(), target))
                self._injection_names.append(name)
        if record:
            dt = simulator.state.dt
            lines += ["record %s.%s every %s ms" % (self._injection_names[0], self.recorded_state, number(dt))]
        return lines

    def _named(self, k):
        """A stable GDSL name for this source's k-th injection."""
        names = self.__dict__.setdefault("_gdsl_names", [])
        while len(names) <= k:
            names.append(simulator.state.gdsl_name("%s_source" % type(self).__name__.lower(), "source"))
        return names[k]

    def push_values(self, sim):
        """Changed parameters go into each injection's arrays (<Model><k>.<name>) where the
        compiled network keeps them; otherwise the network is compiled again."""
        now = self._values()
        if self._pushed is None:
            return
        for name, value in now.items():
            before = self._pushed.get(name)
            if np.array_equal(np.asarray(before), np.asarray(value)):
                continue
            scale = INTERNAL_SCALE.get(getattr(type(self), "units", {}).get(name, ""), 1.0)
            arrays = [sim.array_info("%s.%s" % (inj, name)) for inj in self._injection_names]
            if np.ndim(value) == 0 and all(a is not None and a.length == 1 for a in arrays):
                for inj in self._injection_names:
                    sim.set("%s.%s" % (inj, name), value * scale)
                self._pushed[name] = value
                continue
            # The source's own state (the next step of a StepCurrentSource, ...) starts afresh.
            simulator.state.fresh_prefixes.update(n + "." for n in self._injection_names)
            raise simulator.StructureChange("current source %s.%s" % (type(self).__name__, name))

    # The state variable that holds the current a source injects, where only gennc knows it
    # (a drawn current); None where it is a function of the parameters (computed here).
    recorded_state = None

    def record(self):
        self._recording = True
        if self.recorded_state is not None:
            simulator.state.structure_change()

    def keep(self):
        """Keeps what only the running network knows readable after end() (see subclasses)."""

    def resume_lists(self, sim, now, dt):
        """Only sources with lists of times have bookkeeping to resume (StepCurrentSource)."""

    def _current(self, t, dt):
        raise NotImplementedError("pynn_gennc: recording the current of a %s" % type(self).__name__)

    def _get_data(self):
        state = simulator.state
        t = np.arange(int(round(state.t / state.dt)) + 1) * state.dt
        return t, self._current(t, state.dt)


def _positions_of_ids(ids):
    pops, owners, index = [], [], []
    for id in ids:
        pop = id.parent
        if pop not in pops:
            pops.append(pop)
        owners.append(pops.index(pop))
        index.append(pop.id_to_index(id))
    return pops, np.array(owners), np.array(index)


def _window(t, dt, start, stop):
    return (t + 0.5 * dt >= start) & (t + 0.5 * dt < stop)


class DCSource(CurrentSource, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__

    def _current(self, t, dt):
        v = self._values()
        return np.where(_window(t, dt, v["start"], v["stop"]), v["amplitude"], 0.0)


class ACSource(CurrentSource, electrodes.ACSource):
    __doc__ = electrodes.ACSource.__doc__

    def _current(self, t, dt):
        v = self._values()
        sine = v["offset"] + v["amplitude"] * np.sin(2 * np.pi * v["frequency"] * 1e-3 * (t - v["start"])
                                                     + np.pi / 180 * v["phase"])
        return np.where(_window(t, dt, v["start"], v["stop"]), sine, 0.0)


class StepCurrentSource(CurrentSource, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__

    def set_native_parameters(self, parameters):
        super().set_native_parameters(parameters)
        times = np.atleast_1d(np.asarray(self._params["times"], float))
        amplitudes = np.atleast_1d(np.asarray(self._params["amplitudes"], float))
        if np.any(times < 0):
            raise ValueError("StepCurrentSource: times must not be negative, not %s" % times)
        if np.any(np.diff(times) <= 0):
            raise ValueError("StepCurrentSource: times must increase, not %s" % times)
        # Times act on the step grid; of several in one step the last amplitude holds.
        dt = simulator.state.dt
        grid = np.rint(times / dt) * dt
        last = np.append(np.diff(grid) > 1e-9 * dt, True)
        self._params["times"] = grid[last]
        self._params["amplitudes"] = amplitudes[last]

    def _current(self, t, dt):
        v = self._values()
        out = np.zeros_like(t)
        for time, amplitude in zip(np.atleast_1d(v["times"]), np.atleast_1d(v["amplitudes"])):
            out[time < t + 0.5 * dt] = amplitude
        return out


    def resume_lists(self, sim, now, dt):
        """After new times mid-run: start at the first change not yet made, holding the
        amplitude of the last one made."""
        fresh = simulator.state.fresh_prefixes
        times, amplitudes = np.atleast_1d(self._params["times"]), np.atleast_1d(self._params["amplitudes"])
        done = int(np.count_nonzero(times < now - 0.5 * dt))
        for name in self._injection_names:
            if name + "." in fresh and sim.array_info(name + ".next") is not None:
                sim.set(name + ".next", done)
                sim.set(name + ".amplitude", amplitudes[done - 1] if done else 0.0)


class NoisyCurrentSource(CurrentSource, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__
    recorded_state = "amplitude"

    def _get_data(self):
        """The current injected into the first target, as gennc recorded it: the value for
        the step starting at each time (the runtime's sample at T is the step before T)."""
        state = simulator.state
        if state.sim is None:
            if getattr(self, "_kept", None) is not None:
                return self._kept
            raise NotImplementedError("pynn_gennc: a NoisyCurrentSource's current is known "
                                      "only after a run")
        wanted = "%s.%s" % (self._injection_names[0], self.recorded_state)
        for k, desc in enumerate(state.sim.recordings()):
            if desc.variable.decode() == wanted:
                values, times, _ = state.sim.samples(k)
                # The current of the step starting at each sample time; at the end time, the
                # last step's (the next step's is not drawn yet).
                current = np.append(values[1:, 0], values[-1, 0]) if len(values) else values[:, 0]
                return times, current
        raise NotImplementedError("pynn_gennc: %s was not recorded" % wanted)

    def keep(self):
        """Keeps the recorded current readable after end()."""
        if self._recording and simulator.state.sim is not None:
            self._kept = self._get_data()


for _cls in (DCSource, ACSource, StepCurrentSource, NoisyCurrentSource):
    _cls.translations = build_translations(*[(n, n) for n in _cls.default_parameters])

__all__ = ["DCSource", "ACSource", "StepCurrentSource", "NoisyCurrentSource"]
