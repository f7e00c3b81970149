"""Population, PopulationView and Assembly: PyNN's common classes, values kept for GDSL.

A Population keeps its native parameters as full NumPy arrays (or a NativeRNG
distribution, drawn later by gennc) and its initial values as PyNN's lazy arrays. The
GDSL writer asks each value how to be written (`describe`); before each run the
population pushes what changed into the compiled network.
"""
import numpy as np
from lazyarray import larray
from pyNN import common, errors
from pyNN.parameters import ParameterSpace, Sequence, simplify
from pyNN.random import RandomDistribution
from pyNN.standardmodels import StandardCellType

from . import simulator
from .gdsl import NativeDistribution
from .random import NativeRNG
from .recording import Recorder
from .standardmodels import INTERNAL_SCALE, gdsl_variable


# Half of NEST's 0.001 ms tic: a spike time this close to a grid point counts as on it
# (stdlib/spike_sources/SpikeSourceArray.gdsl).
HALF_TIC = 0.0005


def native_distribution(value):
    """The NativeDistribution behind a lazy array of a NativeRNG RandomDistribution, or None."""
    base = value.base_value if isinstance(value, larray) else value
    if isinstance(base, RandomDistribution) and isinstance(base.rng, NativeRNG):
        if isinstance(value, larray) and value.operations:
            raise NotImplementedError("pynn_gennc: arithmetic on a NativeRNG distribution")
        return NativeDistribution(base.name, base.parameters)
    return None


def describe(value, size):
    """How a value is written: ('scalar', x), ('array', a), ('native', d), ('sequence', s)
    or ('sequences', array of Sequence)."""
    if isinstance(value, NativeDistribution):
        return ("native", value)
    if isinstance(value, larray):
        native = native_distribution(value)
        if native is not None:
            return ("native", native)
        value = value.evaluate(simplify=True)
    if isinstance(value, Sequence):
        return ("sequence", value)
    value = np.asarray(value)
    if value.ndim == 0:
        return ("scalar", float(value))
    # Copies: views change their parent's arrays in place, and what was pushed must not change with them.
    if value.dtype == object:
        first = value[0]
        if all(np.array_equal(s.value, first.value) for s in value):
            return ("sequence", Sequence(np.array(first.value, dtype=float)))
        return ("sequences", np.array([Sequence(np.array(s.value, dtype=float)) for s in value], dtype=object))
    if value.size and np.all(value == value[0]):
        return ("scalar", float(value[0]))
    return ("array", np.array(value, dtype=float))


def same(a, b):
    if a is None or b is None or a[0] != b[0]:
        return False
    kind = a[0]
    if kind == "scalar":
        return a[1] == b[1]
    if kind == "array":
        return np.array_equal(a[1], b[1])
    if kind == "sequence":
        return np.array_equal(a[1].value, b[1].value)
    if kind == "sequences":
        return len(a[1]) == len(b[1]) and all(np.array_equal(x.value, y.value) for x, y in zip(a[1], b[1]))
    if kind == "native":
        return a[1].name == b[1].name and a[1].parameters == b[1].parameters
    if kind == "column":
        return np.array_equal(a[1], b[1])
    raise AssertionError(kind)


class Assembly(common.Assembly):
    _simulator = simulator


class PopulationView(common.PopulationView):
    _assembly_class = Assembly
    _simulator = simulator

    def _get_parameters(self, *names):
        return _get_parameters(self, names)

    def _in_population(self):
        """The Population this view (or a view of it) is of, and the view's cells there."""
        return self.grandparent, self.index_in_grandparent(np.arange(self.size))

    def _get_native_parameters(self, *names):
        population, index = self._in_population()
        parameter_dict = {}
        for name in names:
            value = population._parameters[name]
            if isinstance(value, NativeDistribution):
                raise NotImplementedError("pynn_gennc: the values of '%s' are drawn by gennc's "
                                          "NativeRNG and cannot be read back before a run" % name)
            parameter_dict[name] = simplify(value[index])
        return ParameterSpace(parameter_dict, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        population, index = self._in_population()
        # Checked whole before any is kept: a refused value leaves the population as it was.
        updated = dict(population._parameters)
        for name, value in parameter_space.items():
            if native_distribution(value) is not None:
                raise NotImplementedError("pynn_gennc: a NativeRNG distribution can be given to a "
                                          "whole Population only, not to a view")
            current = updated[name]
            if isinstance(current, NativeDistribution):
                raise NotImplementedError("pynn_gennc: '%s' is drawn by NativeRNG; set it on the "
                                          "whole Population" % name)
            updated[name] = current.copy()
            try:
                updated[name][index] = value.evaluate(simplify=True)
            except ValueError:
                raise errors.InvalidParameterValueError(f"{name} should not be of type {type(value)}")
        _check_values(population.celltype, updated)
        population._parameters.update(updated)

    def _set_initial_value_array(self, variable, initial_values):
        parent, index = self._in_population()
        current = parent.initial_values.get(variable)
        if current is None or native_distribution(current) is not None:
            raise NotImplementedError("pynn_gennc: initialize() on a view of '%s' whose initial "
                                      "values are drawn by NativeRNG" % variable)
        values = np.array(current.evaluate(simplify=False), dtype=float)
        if native_distribution(initial_values) is not None:
            raise NotImplementedError("pynn_gennc: a NativeRNG distribution can initialise a whole "
                                      "Population only")
        values[index] = initial_values.evaluate(simplify=False)
        parent.initial_values[variable] = larray(values, shape=(parent.size,))
        parent._changed_initial.add(variable)

    def initialize(self, **initial_values):
        for variable, value in initial_values.items():
            self._set_initial_value_array(variable, larray(value, shape=(self.size,), dtype=float))

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)


def _get_parameters(pop, names):
    if isinstance(pop.celltype, StandardCellType):
        if any(name in pop.celltype.computed_parameters() for name in names):
            native_names = pop.celltype.get_native_names()
        else:
            native_names = pop.celltype.get_native_names(*names)
        return pop.celltype.reverse_translate(pop._get_native_parameters(*native_names))
    return pop._get_native_parameters(*names)


class Population(common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def _create_cells(self):
        state = simulator.state
        id_range = np.arange(state.id_counter, state.id_counter + self.size)
        self.all_cells = np.array([simulator.ID(id) for id in id_range], dtype=simulator.ID)
        self._mask_local = np.ones((self.size,), bool)
        for id in self.all_cells:
            id.parent = self
        state.id_counter += self.size
        self._changed_initial = set()
        self._baked = {}      # what the compiled network was written with
        self._pushed = {}     # what it holds now
        self.gdsl_name = state.gdsl_name(self.label, "population")
        if not hasattr(self.celltype, "gdsl_model"):
            raise errors.NoModelAvailableError(
                "pynn_gennc has no model for %s; use a standard type or pynn_gennc.native_cell_type"
                % type(self.celltype).__name__)
        parameter_space = self.celltype.native_parameters
        parameter_space.shape = (self.size,)
        self._parameters = {}
        for name, value in parameter_space.items():
            native = native_distribution(value)
            self._parameters[name] = native if native is not None else \
                _full(value.evaluate(simplify=False), self.size)
        _check_values(self.celltype, self._parameters)
        state.populations.append(self)
        state.structure_change()

    def initialize(self, **initial_values):
        # Random values are drawn now, as other backends draw them, so that a NumpyRNG
        # shared with connectors is consumed in the script's order.
        drawn = {}
        for variable, value in initial_values.items():
            value = larray(value, shape=(self.size,), dtype=float)
            if native_distribution(value) is None and not value.is_homogeneous:
                value = value.evaluate(simplify=False)
            drawn[variable] = value
        super().initialize(**drawn)

    def _set_initial_value_array(self, variable, initial_values):
        self._changed_initial.add(variable)

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    def _get_parameters(self, *names):
        return _get_parameters(self, names)

    def _get_native_parameters(self, *names):
        parameter_dict = {}
        for name in names:
            value = self._parameters[name]
            if isinstance(value, NativeDistribution):
                raise NotImplementedError("pynn_gennc: the values of '%s' are drawn by gennc's "
                                          "NativeRNG and cannot be read back" % name)
            parameter_dict[name] = simplify(value)
        return ParameterSpace(parameter_dict, shape=(self.local_size,))

    def _set_parameters(self, parameter_space):
        # Checked whole before any is kept: a refused value leaves the population as it was.
        updated = dict(self._parameters)
        for name, value in parameter_space.items():
            native = native_distribution(value)
            if native is not None:
                updated[name] = native
            else:
                updated[name] = _full(value.evaluate(simplify=False), self.size)
        _check_values(self.celltype, updated)
        self._parameters = updated

    # ---- GDSL ---------------------------------------------------------------------------
    def variable_path(self, variable):
        return gdsl_variable(self.celltype, variable)

    def receptors_text(self):
        """`with receptors` bindings of a PointNeuron, its receptor parameters as arguments."""
        if not hasattr(self.celltype, "gdsl_receptors"):
            return ""
        from .gdsl import value_text
        bindings = []
        for label, model in self.celltype.gdsl_receptors():
            args = []
            for name, value in self._parameters.items():
                if name.startswith(label + "."):
                    described = describe(value, self.size)
                    if described[0] == "array":
                        raise NotImplementedError("pynn_gennc: receptor parameter '%s' differing "
                                                  "between neurons" % name)
                    args.append("%s = %s" % (name.split(".", 1)[1], value_text(described)))
            bindings.append("%s: %s(%s)" % (label, model, ", ".join(args)))
        return ", ".join(bindings)

    def describe_parameters(self):
        """The population's own parameters (a PointNeuron's receptor parameters go with its
        receptors), described for GDSL."""
        described = {name: describe(value, self.size) for name, value in self._parameters.items()}
        self._baked = dict(described)
        self._pushed = dict(described)
        return {name: value for name, value in described.items() if "." not in name}

    def describe_initial_values(self):
        out = {}
        for variable, value in self.initial_values.items():
            out[variable] = describe(value, self.size)
        self._changed_initial = set()
        return out

    def _scale(self, name):
        return INTERNAL_SCALE.get(self.celltype.units.get(name, ""), 1.0)

    def push_values(self, sim):
        for name, value in self._parameters.items():
            key = "%s.%s" % (self.gdsl_name, name)
            now = describe(value, self.size)
            if same(self._pushed.get(name), now):
                continue
            info = sim.array_info(key)
            if info is None:
                if not same(self._baked.get(name), now):
                    raise simulator.StructureChange(key)
            elif now[0] == "scalar" and info.length in (1, self.size):
                sim.set(key, now[1] * self._scale(name))
            elif now[0] == "array" and info.length == self.size:
                sim.set(key, now[1] * self._scale(name))
            elif not same(self._baked.get(name), now):
                if now[0] in ("sequence", "sequences"):
                    # New spike times: the source's bookkeeping starts afresh.
                    simulator.state.fresh_prefixes.add(self.gdsl_name + ".")
                raise simulator.StructureChange(key)
            self._pushed[name] = now
        for variable in list(self._changed_initial):
            self._push_initial(sim, variable)
        self._changed_initial = set()

    def resume_lists(self, sim, now, dt):
        """After new spike times mid-run: each source's next time is its first not yet due.
        The stdlib's SpikeSourceArray emits time s in the step starting at t where
        s < t + dt + 0.0005 ms (rounded up to the grid, as NEST does), so the steps before
        `now` have emitted exactly the times s < now + 0.0005 ms."""
        if self.gdsl_name + "." not in simulator.state.fresh_prefixes:
            return
        times = self._parameters.get("spike_times")
        if times is None or sim.array_info(self.gdsl_name + ".next") is None:
            return
        sim.set(self.gdsl_name + ".next",
                [np.count_nonzero(np.asarray(s.value) < now + HALF_TIC) for s in times])

    def push_initial_values(self, sim):
        for variable in self.initial_values:
            self._push_initial(sim, variable)

    def _push_initial(self, sim, variable):
        value = self.initial_values[variable]
        if native_distribution(value) is not None:
            return  # drawn by gennc when the network is created
        key = "%s.%s" % (self.gdsl_name, self.variable_path(variable))
        if sim.array_info(key) is None:
            raise errors.RecordingError(variable, self.celltype)
        values = np.asarray(value.evaluate(simplify=False), dtype=float) * self._scale(variable)
        sim.set(key, np.broadcast_to(values, (self.size,)))


# Spike sources' rates (Hz, native names): a negative rate draws no spikes in gennc's
# Poisson sampler, where NEST's generators refuse it, so it is refused here as there.
_RATES = {"SpikeSourcePoisson": ("rate",), "SpikeSourcePoissonRefractory": ("rate",),
          "SpikeSourceGamma": ("beta",)}


def _check_values(celltype, parameters):
    """What every PyNN backend refuses: spike times (any list parameter) that decrease, and
    (as NEST does) negative rates of the Poisson and gamma sources."""
    for name in _RATES.get(type(celltype).__name__, ()):
        values = parameters.get(name)
        if isinstance(values, np.ndarray) and values.dtype != object and np.any(values < 0):
            raise errors.InvalidParameterValueError(
                "%s of %s must not be negative, not %s" % (name, type(celltype).__name__, values.min()))
    for name, values in parameters.items():
        if isinstance(values, np.ndarray) and values.dtype == object:
            for sequence in values:
                if isinstance(sequence, Sequence) and np.any(np.diff(sequence.value) < 0):
                    raise errors.InvalidParameterValueError(
                        "%s must be in increasing order, not %s" % (name, sequence.value))


def _full(values, size):
    if isinstance(values, np.ndarray) and values.dtype != object:
        return np.array(np.broadcast_to(values, (size,)), dtype=float)
    if isinstance(values, Sequence):
        out = np.empty(size, dtype=object)
        out[:] = [values] * size
        return out
    return np.array(values)
