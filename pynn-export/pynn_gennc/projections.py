"""Projection: PyNN's connectors on the host, or gennc's own with NativeRNG.

With NumpyRNG/GSLRNG (or none), PyNN's connector runs in Python, exactly as for
pyNN.nest, and its synapse list goes to the runtime in binary (`from_host()`), split
into one GDSL projection per pair of populations when pre or post is an Assembly. With
pynn_gennc's NativeRNG the connector is written symbolically and drawn by gennc. Either
way, weights, delays and other synapse values read and written after creation go through
the runtime's arrays, in the runtime's synapse order (rows by pre, then post).
"""
import os
from copy import deepcopy

import numpy as np
from pyNN import common, connectors, errors
from pyNN.space import Space

from . import simulator
from .bulk_connect import fixed_probability_in_bulk
from .gdsl import NativeDistribution, number, selection_text
from .populations import Assembly, PopulationView, native_distribution, same
from .random import NativeRNG
from .small_world import connect_small_world
from .standardmodels import StaticSynapse

# Synapse values that the runtime keeps per synapse when they differ between synapses.
_COLUMNS = ("weight", "delay")
# What a projection knows once its synapses are drawn.
_DRAWN = ("_pre", "_post", "_values", "_groups")


def positions(cells):
    """(list of Populations, owner per position, index in its owner per position)."""
    if isinstance(cells, Assembly):
        pops, owners, index = [], [], []
        for part in cells.populations:
            p, o, i = positions(part)
            for k, pop in enumerate(p):
                if pop not in pops:
                    pops.append(pop)
            owners.append(np.array([pops.index(p[k]) for k in o], dtype=np.int64))
            index.append(i)
        return pops, np.concatenate(owners), np.concatenate(index)
    if isinstance(cells, PopulationView):
        return [cells.grandparent], np.zeros(cells.size, np.int64), \
            np.asarray(cells.index_in_grandparent(np.arange(cells.size)), dtype=np.int64)
    return [cells], np.zeros(cells.size, np.int64), np.arange(cells.size, dtype=np.int64)


def delay_steps(delays, dt):
    """Delays (ms) in whole steps as gennc takes them: halves up, with the same tolerance
    for representation error, and at least one step (gennc's delay_to_steps)."""
    return np.maximum(1.0, np.floor(np.asarray(delays, dtype=float) / dt + 0.5 + 1e-9))


def runtime_order(pair, pre, post):
    """The order of synapses the runtime keeps: by population pair, then pre neuron, then
    post neuron; among repeats of a (pre, post) pair, the order they came in."""
    n_pre, n_post = int(pre.max(initial=0)) + 1, int(post.max(initial=0)) + 1
    if (int(pair.max(initial=0)) + 1) * n_pre * n_post >= 1 << 62:
        return np.lexsort((post, pre, pair))
    # One integer key sorts three times faster than lexsort's three passes; a stable sort
    # is needed only where a pair repeats (a multapse).
    key = (pair * n_pre + pre) * n_post + post
    order = np.argsort(key)
    ordered = key[order]
    if np.any(ordered[1:] == ordered[:-1]):
        order = np.argsort(key, kind="stable")
    return order


class Connection(common.Connection):
    """One synapse of a Projection; its values are read from and written to the projection
    (and so to the running network) when they are used."""

    def __init__(self, projection, index, pre, post):
        self.__dict__.update(_projection=projection, _index=index, presynaptic_index=pre,
                             postsynaptic_index=post)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return float(self._projection._current(name)[self._index])

    def __setattr__(self, name, value):
        prj = self._projection
        if prj.native:
            raise NotImplementedError("pynn_gennc: changing a synapse built with NativeRNG")
        values = np.array(prj._current(name), dtype=float)
        values[self._index] = value
        if name == "delay":
            prj._check_delays(values)
        prj._values[name] = values
        prj._apply_now()  # as Projection.set(): get() reads it at once

    def as_tuple(self, *attribute_names):
        return tuple(getattr(self, name) for name in attribute_names)


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_population, postsynaptic_population, connector,
                 synapse_type=None, source=None, receptor_type=None, space=Space(), label=None):
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population, connector,
                                   synapse_type, source, receptor_type, space, label)
        state = simulator.state
        if not hasattr(self.synapse_type, "gdsl_model"):
            raise errors.NoModelAvailableError("pynn_gennc has no model for %s"
                                               % type(self.synapse_type).__name__)
        self.gdsl_name = state.gdsl_name(self.label, "projection")
        self._pushed = {}
        self._overrides = {}
        self.native = drawn_by_gennc(connector, self.synapse_type, self.pre, self.post)
        # A gap junction is bidirectional (PyNN's ElectricalSynapse): gennc's ElectricalSynapse
        # carries current one way, so the network also gets the mirror, post -> pre, with the
        # same synapses and values (docs/pynn.md, "Gap junctions").
        self._mirror_name = state.gdsl_name("%s_mirror" % self.gdsl_name, "projection") \
            if self.synapse_type.gdsl_model == "ElectricalSynapse" else None
        if self._mirror_name and self.native and \
                type(connector) not in (connectors.AllToAllConnector, connectors.OneToOneConnector):
            raise NotImplementedError("pynn_gennc: an ElectricalSynapse whose connector draws with "
                                      "NativeRNG (its mirror, post -> pre, needs the same synapses; "
                                      "use NumpyRNG)")
        if self.native:
            self._native_connector = native_connector_text(connector, self)
            self._groups = []
        else:
            bulk = fixed_probability_in_bulk(connector, self)
            if bulk is not None and len(positions(self.pre)[0]) == len(positions(self.post)[0]) == 1 \
                    and not self._mirror_name:
                # Between two populations the network's shape does not depend on the draw,
                # which waits for the first run() or the first question about the synapses.
                self._pending = bulk
            elif bulk is not None:
                pre, post = bulk.draw()
                self._store_connections(pre, post, bulk.columns(len(pre)))
            else:
                self._pre_chunks, self._post_chunks, self._value_chunks = [], [], {}
                if isinstance(connector, connectors.SmallWorldConnector):
                    connect_small_world(connector, self)
                else:
                    connector.connect(self)
                self._finish_connections()
        self._check_values(checked_by_pynn=not self.native and "_pending" not in self.__dict__)
        state.projections.append(self)
        state.structure_change()

    def _check_values(self, checked_by_pynn):
        """PyNN's connectors check the weights' signs of the synapses they make (the
        synapse type's parameter_checks); synapses gennc makes itself, or drawn in bulk,
        are checked here the same way. And every synapse's delay must be at least one time
        step, which gennc needs (NEST too)."""
        synapse = self.synapse_type
        native = synapse.native_parameters

        def one_value(name):
            """The parameter's one value for every synapse, or None."""
            value = native[name] if name in native.keys() else None
            if value is None or not value.is_homogeneous:
                return None
            value.shape = (1,)
            return value.evaluate(simplify=True)

        if not checked_by_pynn:
            for name, check in getattr(synapse, "parameter_checks", {}).items():
                value = one_value(synapse.translations[name]["translated_name"]) \
                    if name in synapse.translations else None
                if value is not None:
                    check(value, self)
        if "_values" in self.__dict__ and "delay" in self._values:
            self._check_delays(self._values["delay"])  # the synapses made in Python
        else:
            # One delay for all; otherwise drawn by gennc, which checks them.
            delay = one_value("delay")
            if delay is not None:
                self._check_delays(delay)

    def _check_delays(self, delays):
        delays = np.atleast_1d(np.asarray(delays, dtype=float))
        dt = simulator.state.dt
        if len(delays) and np.nanmin(delays) < dt * (1 - 1e-9):
            raise errors.ConnectionError("pynn_gennc: a delay of %g ms in %s is shorter than the time "
                                         "step (%g ms)" % (np.nanmin(delays), self.label, dt))

    def __getattr__(self, name):
        # Synapses still to be drawn (bulk_connect.FixedProbabilityDraw) are drawn as soon
        # as anything reads them.
        if name in _DRAWN and "_pending" in self.__dict__:
            self._draw_pending()
            return getattr(self, name)
        raise AttributeError("%r object has no attribute %r" % (type(self).__name__, name))

    def _draw_pending(self):
        pending = self.__dict__.pop("_pending")
        pushed = self._pushed
        pre, post = pending.draw()
        self._store_connections(pre, post, pending.columns(len(pre)))
        self._pushed = pushed  # the values pushed are those the draw gives every synapse

    # ---- building -----------------------------------------------------------------------
    def _convergent_connect(self, presynaptic_indices, postsynaptic_index, location_selector=None,
                            **connection_parameters):
        # Called once per post cell by PyNN's connectors: keep the pieces, join them once.
        if location_selector is not None:
            raise NotImplementedError("pynn_gennc: multicompartment location_selector")
        pre = np.atleast_1d(presynaptic_indices)
        self._pre_chunks.append(pre)
        self._post_chunks.append((int(postsynaptic_index), len(pre)))
        for name, value in connection_parameters.items():
            self._value_chunks.setdefault(name, []).append(value)

    def _finish_connections(self):
        counts = np.array([n for _, n in self._post_chunks], dtype=np.int64)
        pre = np.concatenate(self._pre_chunks).astype(np.int64) if self._pre_chunks else np.array([], np.int64)
        post = np.repeat(np.array([p for p, _ in self._post_chunks], dtype=np.int64), counts)
        values = {}
        for name, chunks in self._value_chunks.items():
            try:
                # One value per post cell (PyNN passes a homogeneous value as a scalar).
                per_cell = np.asarray(chunks, dtype=float)
                scalars = per_cell.ndim == 1 and len(per_cell) == len(chunks)
            except ValueError:
                scalars = False
            if scalars:
                values[name] = np.repeat(per_cell, counts)
            else:
                values[name] = np.concatenate([np.broadcast_to(np.asarray(v, dtype=float), (n,))
                                               for v, n in zip(chunks, counts)])
        del self._pre_chunks, self._post_chunks, self._value_chunks
        self._store_connections(pre, post, values)

    def _store_connections(self, pre, post, values):
        """Keep synapses given as positions in the pre and post cells (with one array per
        synapse value) in the runtime's order, grouped by population pair."""
        pre_pops, pre_owner, pre_index = positions(self.pre)
        post_pops, post_owner, post_index = positions(self.post)
        pair = pre_owner[pre] * len(post_pops) + post_owner[post]
        pre_in_pop, post_in_pop = pre_index[pre], post_index[post]
        order = runtime_order(pair, pre_in_pop, post_in_pop)
        self._pre, self._post = pre[order], post[order]
        self._values = {name: v[order] for name, v in values.items()}
        pair, pre_in_pop, post_in_pop = pair[order], pre_in_pop[order], post_in_pop[order]
        self._groups = []
        multiple = len(pre_pops) * len(post_pops) > 1
        # Sorted by pair, each pair's synapses are one run.
        starts = np.flatnonzero(np.diff(pair, prepend=-1)) if len(pair) else []
        ends = list(starts[1:]) + [len(pair)]
        for start, end in zip(starts, ends):
            a, b = divmod(int(pair[start]), len(post_pops))
            name = "%s_%s_%s" % (self.gdsl_name, pre_pops[a].gdsl_name, post_pops[b].gdsl_name) \
                if multiple else self.gdsl_name
            self._groups.append((name, pre_pops[a], post_pops[b], int(start), int(end),
                                 pre_in_pop[start:end], post_in_pop[start:end]))
        if not self._groups:
            # No synapse: still one projection, so the network's shape does not depend on luck.
            self._groups.append((self.gdsl_name, pre_pops[0], post_pops[0], 0, 0,
                                 np.array([], np.int64), np.array([], np.int64)))
        self._pushed = {}

    def __len__(self):
        if self.native:
            return len(self._native_indices()[0])
        return len(self._pre)

    def _set_native(self, values):
        """New values for synapses gennc builds: one value for every synapse stays one value
        (a settable scalar) and a NativeRNG distribution is drawn by gennc; anything else
        lists the synapses on the host. Returns whether they were taken as they are."""
        described = {}
        for name, value in values.items():
            native = native_distribution(value)
            if native is not None:
                described[name] = ("native", native)
            elif value.is_homogeneous:
                described[name] = ("scalar", homogeneous_value(value))
            else:
                return False
        if any(v[0] == "native" for v in described.values()) and simulator.state.sim is not None:
            simulator.state.structure_change()
        self._overrides.update(described)
        return True

    def _set_attributes(self, parameter_space):
        if "delay" in parameter_space.keys() and parameter_space["delay"].is_homogeneous:
            self._check_delays(parameter_space["delay"].evaluate(simplify=True))
        if self.native and self._set_native(dict(parameter_space.items())):
            self._apply_now()
            return
        if self.native:
            self._to_host()
        # Checked before any is kept: a refused value leaves the projection as it was.
        updated = {}
        for name, value in parameter_space.items():
            if value.is_homogeneous:
                updated[name] = np.full(len(self._pre), float(value.evaluate(simplify=True)))
            else:
                value.shape = (self.pre.size, self.post.size)
                matrix = np.asarray(value.evaluate(simplify=False), dtype=float)
                updated[name] = matrix[self._pre, self._post]
        if "delay" in updated:
            self._check_delays(updated["delay"])
        self._values.update(updated)
        self._apply_now()

    def _apply_now(self):
        """A set() reaches a built network at once, so that get() reads what was set; a
        change the network cannot take in place waits for the rebuild of the next run."""
        state = simulator.state
        if state.sim is None or state.structure_changed:
            return
        try:
            self.push_values(state.sim)
        except simulator.StructureChange:
            state.structure_change()

    def _to_host(self):
        """Per-synapse values for synapses gennc built itself: the all-to-all or one-to-one
        synapses are listed here and go to the runtime from the host from now on."""
        if isinstance(getattr(self._connector, "rng", None), NativeRNG):
            raise NotImplementedError("pynn_gennc: set() on a projection whose connector draws "
                                      "with NativeRNG")
        pre, post = self._native_indices()
        values = {name: np.array(self._current(name), dtype=float)
                  for name in self.synapse_type.get_native_names()}
        self.native = False
        order = np.argsort(post, kind="stable")
        targets, counts = np.unique(post[order], return_counts=True)
        cut = np.cumsum(counts)[:-1]
        self._pre_chunks = np.split(pre[order], cut) if len(pre) else []
        self._post_chunks = list(zip(targets.tolist(), counts.tolist()))
        self._value_chunks = {name: np.split(v[order], cut) if len(pre) else []
                              for name, v in values.items()}
        self._finish_connections()
        simulator.state.structure_change()

    @property
    def connections(self):
        """The connections as PyNN Connection objects, in the runtime's order."""
        pre, post = self._native_indices() if self.native else (self._pre, self._post)
        return [Connection(self, k, int(i), int(j)) for k, (i, j) in enumerate(zip(pre, post))]

    def _set_initial_value_array(self, variable, value):
        variable = getattr(self.synapse_type, "state_names", {}).get(variable, variable)
        if self.native:
            if self._set_native({variable: value}):
                return
            self._to_host()
        self._values[variable] = np.broadcast_to(np.asarray(value.evaluate(simplify=True), float),
                                                 (len(self._pre),)).copy()

    # ---- reading back -------------------------------------------------------------------
    def _native_indices(self):
        """(pre, post) positions of the synapses gennc built, in its order."""
        if isinstance(self._connector, connectors.OneToOneConnector):
            index = np.arange(self.pre.size)
            return index, index
        if isinstance(self._connector, connectors.AllToAllConnector):
            pre, post = np.divmod(np.arange(self.pre.size * self.post.size), self.post.size)
            if not self._connector.allow_self_connections:
                keep = self.pre.all_cells[pre] != self.post.all_cells[post]
                pre, post = pre[keep], post[keep]
            return pre, post
        state = simulator.state
        state.update()
        if state.sim.array_info("%s.column" % self.gdsl_name) is None:
            raise NotImplementedError("pynn_gennc: reading back the synapses of %s, which gennc "
                                      "stores as a bitmask" % self.label)
        pointers = state.sim.get("%s.row_pointer" % self.gdsl_name).astype(np.int64)
        columns = state.sim.get("%s.column" % self.gdsl_name).astype(np.int64)
        pre = np.repeat(np.arange(len(pointers) - 1), np.diff(pointers))
        return positions_in(self.pre, pre), positions_in(self.post, columns)

    def _current(self, name):
        """Values of synapse attribute `name` per synapse, in the runtime's order."""
        state = simulator.state
        if self.native:
            n = len(self._native_indices()[0])
            values = None
            if state.sim is not None and not state.structure_changed and state.export_path is None:
                values = self._network_values(name, self.gdsl_name, n)
            if values is None:
                described = self._synapse_values(derived=False)[name]
                if described[0] != "scalar":
                    raise NotImplementedError("pynn_gennc: reading '%s' of %s, drawn by gennc, before "
                                              "the network is built or where gennc keeps no array "
                                              "of it" % (name, self.label))
                values = np.full(n, described[1])
                if name == "delay":
                    values = delay_steps(values, state.dt) * state.dt
            return values
        if name in ("presynaptic_index", "postsynaptic_index"):
            return (self._pre if name == "presynaptic_index" else self._post).astype(float)
        if state.sim is not None and not state.structure_changed and state.export_path is None:
            out = np.empty(len(self._pre))
            for gname, _, _, begin, end, _, _ in self._groups:
                values = self._network_values(name, gname, end - begin)
                if values is None:
                    break
                out[begin:end] = values
            else:
                return out
        if name == "delay":
            # As the network holds them, and as NEST reports them: on the time grid.
            return delay_steps(self._values[name], state.dt) * state.dt
        return self._values[name]

    def _network_values(self, name, gname, count):
        sim = simulator.state.sim
        info = sim.array_info("%s.%s" % (gname, name))
        if info is None:
            return None
        values = sim.get("%s.%s" % (gname, name))
        if name == "delay":
            values = values * simulator.state.dt
        return np.broadcast_to(values, (count,)) if len(values) == 1 else values

    def _get_attributes_as_list(self, names):
        if self.native:
            pre, post = self._native_indices()
            columns = [pre if n == "presynaptic_index" else post if n == "postsynaptic_index"
                       else self._current(n) for n in names]
        else:
            columns = [self._current(n) for n in names]
        return [tuple(row) for row in zip(*[c.tolist() for c in columns])]

    def _get_attributes_as_arrays(self, names, multiple_synapses="sum"):
        if self.native:
            pre, post = self._native_indices()
        else:
            pre, post = self._pre, self._post
        shape = (self.pre.size, self.post.size)
        out = []
        for name in names:
            values = np.asarray(self._current(name), dtype=float)
            matrix = np.full(shape, np.nan)
            if multiple_synapses in ("last", "first"):
                # Later assignments win: in synapse order for 'last', reversed for 'first'.
                step = 1 if multiple_synapses == "last" else -1
                matrix[pre[::step], post[::step]] = values[::step]
            else:
                # Synapses between the same pair combined with numpy's unbuffered ufuncs.
                ufunc = {"sum": np.add, "min": np.minimum, "max": np.maximum}[multiple_synapses]
                start = {"sum": 0.0, "min": np.inf, "max": -np.inf}[multiple_synapses]
                combined = np.full(shape, start)
                ufunc.at(combined, (pre, post), values)
                connected = np.zeros(shape, dtype=bool)
                connected[pre, post] = True
                matrix[connected] = combined[connected]
            out.append(matrix)
        return out

    # ---- GDSL ---------------------------------------------------------------------------
    def _synapse_values(self, derived=True):
        """Each synapse parameter described: ('scalar', x), ('column', array) or ('native', d),
        with the values derived from the post cells (`derived`: TsodyksMarkram's tau_psc)."""
        params = self.synapse_type.native_parameters
        out = {}
        for name in params.keys():
            if self.native:
                if name in self._overrides:
                    out[name] = self._overrides[name]
                    continue
                value = params[name]
                native = native_distribution(value)
                out[name] = ("native", native) if native else ("scalar", homogeneous_value(value))
                continue
            pending = self.__dict__.get("_pending")
            if pending is not None:  # one value for every synapse, whatever the draw gives
                value = pending.values.get(name)
                out[name] = ("scalar", homogeneous_value(params[name]) if value is None else float(value))
                continue
            values = self._values.get(name)
            if values is None:
                out[name] = ("scalar", homogeneous_value(params[name]))
            elif len(values) and not np.all(values == values[0]):
                out[name] = ("column", values)
            else:
                out[name] = ("scalar", float(values[0]) if len(values) else homogeneous_value(params[name]))
        if self.native:
            # Initial values of synapse state given with Projection.initialize().
            for name, value in self._overrides.items():
                out.setdefault(name, value)
        if derived and self.synapse_type.gdsl_model == "TsodyksMarkramSynapse":
            tau = self._post_tau_syn()
            if np.all(tau == tau[0]):
                out["tau_psc"] = ("scalar", float(tau[0]))
            elif self.native:
                self._to_host()
                return self._synapse_values()
            else:
                out["tau_psc"] = ("column", tau[self._post])
        return out

    def _arguments(self, values, columns_given):
        def text(name):
            v = values[name]
            return v[1].gdsl() if v[0] == "native" else number(v[1])

        synapse = self.synapse_type
        args = []
        timing = getattr(synapse, "timing_dependence", None)
        weight_dep = getattr(synapse, "weight_dependence", None)
        component_names = set()
        for component in (timing, weight_dep):
            if component is not None:
                component_names |= set(component.get_native_names())
        for name, v in values.items():
            if name in component_names or name in columns_given:
                continue
            if v[0] == "column":
                continue  # given per synapse through from_host(name, ...)
            args.append("%s = %s" % (name, text(name)))
        for slot, component in (("timing_rule", timing), ("weight_rule", weight_dep)):
            if component is None:
                continue
            inner = []
            for name in component.get_native_names():
                if values[name][0] == "column":
                    raise NotImplementedError("pynn_gennc: STDP parameter '%s' differing between "
                                              "synapses of one projection" % name)
                inner.append("%s = %s" % (name, text(name)))
            args.append("%s = %s(%s)" % (slot, type(component).__name__, ", ".join(inner)))
        return "%s(%s)" % (self.synapse_type.gdsl_model, ", ".join(args))

    def smallest_delay(self):
        if self.native:
            value = self._synapse_values()["delay"]
            return value[1] if value[0] == "scalar" else None
        delays = self._values.get("delay")
        return float(delays.min()) if delays is not None and len(delays) else None

    def _post_tau_syn(self):
        """The decay time of the targeted receptor's current, which NEST's tsodyks_synapse
        takes as tau_psc: each post cell's tau_syn_E or tau_syn_I, by receptor type."""
        name = {"excitatory": "tau_syn_E", "inhibitory": "tau_syn_I"}.get(self.receptor_type)
        pops, owners, index = positions(self.post)
        out = np.empty(len(index))
        for k, pop in enumerate(pops):
            value = pop._parameters.get(name)
            if value is None or isinstance(value, NativeDistribution):
                raise NotImplementedError("pynn_gennc: TsodyksMarkramSynapse onto cells without "
                                          "a %s given in Python" % name)
            out[owners == k] = np.asarray(value)[index[owners == k]]
        return out

    def _onto(self):
        if self.synapse_type.gdsl_model == "ElectricalSynapse":
            return ""
        return " onto %s" % self.receptor_type

    def gdsl_lines(self, written, export):
        state = simulator.state
        values = self._synapse_values()
        self._baked = values          # what the compiled network was written with
        self._pushed = dict(values)   # what it holds now
        if self.native:
            pre_pops, _, pre_index = positions(self.pre)
            post_pops, _, post_index = positions(self.post)
            if len(pre_pops) > 1 or len(post_pops) > 1:
                raise NotImplementedError("pynn_gennc: NativeRNG connectors between Assemblies")
            pre = selection_text(pre_pops[0].gdsl_name, pre_index, pre_pops[0].size)
            post = selection_text(post_pops[0].gdsl_name, post_index, post_pops[0].size)
            lines = ["projection %s = %s -> %s via %s synapse %s%s" % (
                self.gdsl_name, pre, post, self._native_connector, self._arguments(values, ()),
                self._onto())]
            if self._mirror_name:
                # All-to-all and one-to-one turned round are the same connectors.
                lines.append("projection %s = %s -> %s via %s synapse %s" % (
                    self._mirror_name, post, pre, self._native_connector, self._arguments(values, ())))
            return lines
        if export and values.get("delay", ("",))[0] == "column" and values.get("weight", ("",))[0] == "scalar":
            # A PyNN connection file has no delay column without a weight column before it.
            values = dict(values, weight=("column", np.full(len(self._pre), values["weight"][1])))
        columns = [c for c, v in values.items() if v[0] == "column"]
        others = [c for c in columns if c not in _COLUMNS]
        if export and others:
            raise NotImplementedError("pynn_gennc export: synapse values other than weight and "
                                      "delay that differ between synapses (%s)" % ", ".join(others))
        if "_pending" in self.__dict__ and not export:
            # One population pair, every value one scalar: the synapses go to the runtime
            # when they are drawn, while gennc compiles (Written.draw_connections).
            def drawn():
                gname, _, _, _, _, pre_index, post_index = self._groups[0]
                return (gname, pre_index, post_index, None, None, {})
            written.connections.append(drawn)
            return ["projection %s = %s -> %s via from_host() synapse %s%s" % (
                self.gdsl_name, positions(self.pre)[0][0].gdsl_name, positions(self.post)[0][0].gdsl_name,
                self._arguments(values, ()), self._onto())]
        lines = []
        self._mirror_orders = {}
        for gname, pre_pop, post_pop, begin, end, pre_index, post_index in self._groups:
            column_data = {c: values[c][1][begin:end] for c in columns}
            groups = [(gname, pre_pop, post_pop, pre_index, post_index, column_data)]
            if self._mirror_name:
                # The mirror's synapses in the runtime's order, and where each one's values are.
                order = runtime_order(np.zeros(len(pre_index), np.int64), post_index, pre_index)
                mirror = self._mirror_group(gname)
                self._mirror_orders[mirror] = order
                groups.append((mirror, post_pop, pre_pop, post_index[order], pre_index[order],
                               {c: v[order] for c, v in column_data.items()}))
            for name, source, target, source_index, target_index, data in groups:
                if export:
                    connector = 'from_file("%s")' % connection_file(written, state, name, source_index,
                                                                      target_index, data)
                else:
                    connector = "from_host(%s)" % ", ".join(others)
                    written.connections.append((name, source_index, target_index, data.get("weight"),
                                                data.get("delay"), {c: data[c] for c in others}))
                lines.append("projection %s = %s -> %s via %s synapse %s%s" % (
                    name, source.gdsl_name, target.gdsl_name, connector,
                    self._arguments(values, columns), self._onto()))
        return lines

    def _mirror_group(self, gname):
        """The mirror's projection for group `gname` (named as the group, after the mirror)."""
        return self._mirror_name + gname[len(self.gdsl_name):]

    def push_values(self, sim):
        values = self._synapse_values()
        if self.native:
            for name, now in values.items():
                if same(self._pushed.get(name), now):
                    continue
                for projection in filter(None, (self.gdsl_name, self._mirror_name)):
                    key = "%s.%s" % (projection, name)
                    info = sim.array_info(key)
                    if now[0] != "scalar" or info is None or info.length != 1:
                        raise simulator.StructureChange(key)
                    sim.set(key, delay_steps(now[1], simulator.state.dt) if name == "delay" else now[1])
                self._pushed[name] = now
            return
        for name, now in values.items():
            if same(self._pushed.get(name), now):
                continue
            for gname, _, _, begin, end, _, _ in self._groups:
                part = now[1][begin:end] if now[0] == "column" else now[1]
                if name == "delay":
                    part = delay_steps(part, simulator.state.dt)
                targets = [(gname, part)]
                if self._mirror_name:
                    mirror = self._mirror_group(gname)
                    targets.append((mirror, part[self._mirror_orders[mirror]] if now[0] == "column" else part))
                for projection, values_there in targets:
                    key = "%s.%s" % (projection, name)
                    info = sim.array_info(key)
                    if info is None:
                        if not same(self._baked.get(name), now):
                            raise simulator.StructureChange(key)
                    elif info.length == end - begin or (info.length == 1 and now[0] == "scalar"):
                        sim.set(key, values_there)
                    else:
                        raise simulator.StructureChange(key)
            self._pushed[name] = now


def positions_in(cells, index):
    """The positions within `cells` of its population's neurons `index` (cells a Population or
    a view; NativeRNG projections have no Assemblies)."""
    pops, _, population_index = positions(cells)
    lookup = np.full(pops[0].size, -1, dtype=np.int64)
    lookup[population_index] = np.arange(len(population_index))
    return lookup[index]


def connection_file(written, state, gname, pre_index, post_index, column_data):
    """Adds a PyNN connection file to an export; returns its name, relative to the .gdsl."""
    stem = os.path.splitext(os.path.basename(state.export_path))[0]
    name = "%s.%s.conn" % (stem, gname)
    columns = ["i", "j"] + list(column_data)
    data = np.column_stack([pre_index, post_index] + [column_data[c] for c in column_data]) \
        if len(pre_index) else np.zeros((0, len(columns)))
    written.connection_files[name] = (columns, data)
    return name


def homogeneous_value(value):
    """The one value of a lazy array that is the same everywhere (of any shape, or none)."""
    if value.shape is None:
        value = deepcopy(value)
        value.shape = (1,)
    return float(np.asarray(value.evaluate(simplify=True)).ravel()[0])


def drawn_by_gennc(connector, synapse_type, pre, post):
    """Whether gennc builds the synapses itself: a connector given pynn_gennc's NativeRNG,
    or an all-to-all or one-to-one connector (no randomness: the same synapses either way)
    whose synapse values are each one value or a NativeRNG distribution, between populations
    or views. Elsewhere PyNN's connector runs in Python."""
    if isinstance(getattr(connector, "rng", None), NativeRNG):
        return True
    if type(connector) not in (connectors.AllToAllConnector, connectors.OneToOneConnector):
        return False
    if isinstance(pre, Assembly) or isinstance(post, Assembly):
        return False
    for _, value in synapse_type.native_parameters.items():
        if not (value.is_homogeneous or native_distribution(value) is not None):
            return False
    return True


def native_connector_text(connector, projection):
    """The GDSL connector for a PyNN connector drawing with NativeRNG."""
    self_ok = "true" if getattr(connector, "allow_self_connections", True) else "false"
    if isinstance(connector, connectors.FixedProbabilityConnector):
        return "fixed_probability(%s, %s)" % (number(connector.p_connect), self_ok)
    if isinstance(connector, connectors.FixedNumberPreConnector):
        return "fixed_number_pre(%d, %s, %s)" % (int(connector.n), self_ok,
                                                 "true" if connector.with_replacement else "false")
    if isinstance(connector, connectors.FixedNumberPostConnector):
        return "fixed_number_post(%d, %s, %s)" % (int(connector.n), self_ok,
                                                  "true" if connector.with_replacement else "false")
    if isinstance(connector, connectors.FixedTotalNumberConnector):
        return "fixed_total_number(%d, %s, %s)" % (int(connector.n), self_ok,
                                                   "true" if connector.with_replacement else "false")
    if isinstance(connector, connectors.AllToAllConnector):
        return "all_to_all(%s)" % self_ok
    if isinstance(connector, connectors.OneToOneConnector):
        return "one_to_one()"
    raise NotImplementedError("pynn_gennc: %s with NativeRNG (use NumpyRNG to run it in Python)"
                              % type(connector).__name__)
