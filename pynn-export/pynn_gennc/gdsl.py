"""Writing a PyNN network as one GDSL network.

`write_network(state, export=False)` turns the populations, projections, current sources
and recordings that the script has created into GDSL text that uses the standard library
(`import pynn`), plus the synapse lists PyNN's connectors drew on the host. In process
those lists go to the runtime in binary (connector `from_host()`); an export writes them
beside the .gdsl as PyNN connection files (`from_file(...)`), so the file compiles alone.

Values follow the backend's rule: a value the same for every element is written once; a
per-element parameter is written as a list; a distribution of pynn_gennc's NativeRNG is
written as that distribution and drawn by gennc; per-element initial values are set
through the C ABI after creation in process (written as lists in an export).
"""
import hashlib
import keyword
import re
from pathlib import Path

import numpy as np


# GDSL's reserved words (docs/language.md) and names that would shadow built-ins.
RESERVED = set("""import neuron postsynaptic synapse current_source spike_source timing_dependence
weight_dependence parameters state derived input uses equations threshold reset refractory update
on function output receptor slot solver pre_trace post_trace let if else true false bool int real
network population view assembly projection via onto as inject into record every with receptors at
t dt d dx dy dz i j spikes""".split())

# The cell types pyNN.nest runs as NEST *_ps models under spike_precision="off_grid"
# (iaf_psc_exp_ps, iaf_psc_delta_ps, spike_generator with precise times,
# poisson_generator_ps).
PRECISE_IN_NEST = {"IF_curr_exp", "IF_curr_delta", "SpikeSourceArray", "SpikeSourcePoisson"}
# Off the grid a cell type may become another stdlib model (pyNN.nest's poisson_generator_ps).
PRECISE_MODEL = {"SpikeSourcePoisson": "SpikeSourcePoissonPrecise"}


def identifier(label, taken, fallback):
    """A GDSL name for a PyNN label: letters, digits and '_', not reserved, not taken."""
    name = re.sub(r"\W", "_", label or "", flags=re.ASCII).strip("_") or fallback
    if name[0].isdigit():
        name = "%s_%s" % (fallback, name)
    if name in RESERVED or keyword.iskeyword(name):
        name += "_"
    base, k = name, 1
    while name in taken:
        k += 1
        name = "%s_%d" % (base, k)
    taken.add(name)
    return name


def number(x):
    x = float(x)
    if not np.isfinite(x):
        raise ValueError("gennc cannot take the non-finite value %r" % x)
    text = repr(x)
    return text[:-2] if text.endswith(".0") else text


def number_list(values):
    return "[" + ", ".join(number(v) for v in np.asarray(values, dtype=float).ravel()) + "]"


class NativeDistribution:
    """A RandomDistribution of pynn_gennc's NativeRNG: drawn by gennc, never in Python."""

    GDSL = {"uniform": ("low", "high"), "normal": ("mu", "sigma"),
            "normal_clipped": ("mu", "sigma", "low", "high"),
            "normal_clipped_to_boundary": ("mu", "sigma", "low", "high"),
            "exponential": ("beta",), "gamma": ("k", "theta"), "lognormal": ("mu", "sigma"),
            "uniform_int": ("low", "high"), "poisson": ("lambda_",), "binomial": ("n", "p")}

    def __init__(self, name, parameters):
        if name not in self.GDSL:
            raise NotImplementedError("pynn_gennc's NativeRNG cannot draw '%s' distributions" % name)
        self.name = name
        self.parameters = parameters

    # Array-like enough for lazyarray to hand it around (it reshapes and indexes what a
    # generator returns); any arithmetic or comparison with it is a TypeError.
    def reshape(self, *shape):
        return self

    def __getitem__(self, index):
        return self

    def gdsl(self):
        """The draw in GDSL, its arguments bare numbers in the parameter's declared unit."""
        args = [float(self.parameters[p]) for p in self.GDSL[self.name]]
        return "%s(%s)" % (self.name, ", ".join(number(a) for a in args))


def value_text(value):
    """GDSL for a described value (see populations.describe)."""
    kind, data = value
    if kind == "scalar":
        return number(data)
    if kind == "array":
        return number_list(data)
    if kind == "native":
        return data.gdsl()
    if kind == "sequence":
        return number_list(data.value)
    if kind == "sequences":
        return "[" + ", ".join(number_list(s.value) for s in data) + "]"
    raise AssertionError(kind)


def selection_text(name, indices, size):
    """`name`, a slice or an index list for population positions `indices`."""
    indices = np.asarray(indices, dtype=np.int64)
    if len(indices) == size and np.array_equal(indices, np.arange(size)):
        return name
    if len(indices) > 1:
        steps = np.diff(indices)
        if steps[0] > 0 and np.all(steps == steps[0]):
            stop = indices[-1] + 1
            step = "" if steps[0] == 1 else ":%d" % steps[0]
            return "%s[%d:%d%s]" % (name, indices[0], stop, step)
    return "%s[[%s]]" % (name, ", ".join(str(i) for i in indices))


class Written:
    """The GDSL text and what travels beside it."""

    def __init__(self):
        self.lines = []
        self.connections = []      # (projection, pre, post, weight or None, delay or None,
                                   #  {other synapse value: per-synapse column}), or a
                                   # function that draws the synapses and returns that
        self.connection_files = {}  # export: file name -> (column names, rows)
        self.initial_values = []   # (array name, values) to set after creation
        self.names = []            # (kind, label, gdsl name) for the header comment
        self.model_files = {}      # export: file name beside the .gdsl -> model file

    def text(self):
        return "\n".join(self.lines) + "\n"

    def draw_connections(self):
        """The connections, with the synapses still to be drawn drawn now."""
        self.connections = [c() if callable(c) else c for c in self.connections]
        return self.connections


def write_network(state, export=False, duration=0.0):
    out = Written()
    body = []
    for pop in state.populations:
        body.append(population_text(pop, out, export, state.precise))
        out.names.append(("population", pop.label, pop.gdsl_name))
    for prj in state.projections:
        body.extend(prj.gdsl_lines(out, export))
        out.names.append(("projection", prj.label, prj.gdsl_name))
    injections = 0
    for source in state.current_sources:
        lines = source.gdsl_lines(injections)
        injections += len(lines)
        body.extend(lines)
    for pop in state.populations:
        body.extend(pop.recorder.gdsl_lines())

    header = ["// Written by pynn_gennc from a PyNN script.",
              "// Names: " + "; ".join('%s "%s" -> %s' % n for n in out.names if n[1] != n[2])
              if any(n[1] != n[2] for n in out.names) else "// Names: as in the script."]
    settings = "  dt = %s ms;  duration = %s ms;  seed = %d" % (number(state.dt), number(duration), state.seed)
    if state.min_delay_value is not None:
        settings += ";  min_delay = %s ms" % number(state.min_delay_value)
    if state.precise:
        settings += ";  precise = true"
    imports = ["import pynn"]
    for path in model_files(state):
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
        name = Path(path).name if export else str(path)
        if export:
            out.model_files[name] = path
        imports.append('import "%s"   // sha256 %s' % (name, digest))
    out.lines = header + imports + ["", "network %s {" % state.network_name, settings] + \
        ["  " + line for line in body] + ["}"]
    return out


def model_files(state):
    """The files the network's native models come from, in first-use order."""
    seen = []
    for obj in [p.celltype for p in state.populations] + [p.synapse_type for p in state.projections] + \
            list(state.current_sources):
        path = getattr(type(obj), "gdsl_file", None)
        if path is not None and path not in seen:
            seen.append(path)
    return seen


def population_text(pop, out, export, precise):
    celltype = pop.celltype
    items = []
    for name, value in pop.describe_parameters().items():
        items.append("%s = %s" % (name, value_text(value)))
    for name, value in pop.describe_initial_values().items():
        path = pop.variable_path(name)
        if "." in path:
            # A receptor's state is no population override: it starts at its model's
            # value and is set after creation.
            if value[0] == "native":
                raise NotImplementedError("pynn_gennc: a NativeRNG distribution for '%s'" % name)
            if export and not (value[0] == "scalar" and value[1] == 0.0):
                raise NotImplementedError("pynn_gennc export: an initial value of '%s' other than 0" % name)
        elif value[0] != "array" or export:
            items.append("%s = %s" % (path, value_text(value)))
            continue
        if value[0] != "native":
            values = value[1] if value[0] == "array" else np.full(pop.size, value[1])
            out.initial_values.append(("%s.%s" % (pop.gdsl_name, path), values * pop._scale(name)))
    model = celltype.gdsl_model
    if precise and model in PRECISE_MODEL:
        model = PRECISE_MODEL[model]
    text = "population %s = %s(%d)" % (pop.gdsl_name, model, pop.size)
    receptors = pop.receptors_text()
    if receptors:
        text += " with receptors { %s }" % receptors
    if items:
        text += " { %s }" % ";  ".join(items)
    # Off the grid, pyNN.nest makes precise only what has a NEST *_ps model; gennc could
    # make more cells precise (IF_curr_alpha, PointNeuron), which then stay on the grid.
    if precise and celltype.gdsl_model not in PRECISE_IN_NEST:
        text += " as grid"
    return text
