"""Models written in GDSL, used from PyNN like standard types.

    MyCell = pynn_gennc.native_cell_type("MyCell", "models.gdsl")   # a file or GDSL text
    pop = sim.Population(10, MyCell(tau_m=15.0))

`native_cell_type`, `native_synapse_type` and `native_electrode_type` read the model's
declaration from gennc's own AST dump (`gennc FILE --emit=ast`): its parameters with their
defaults and units, its state variables (recordable, with their initial values), and a
neuron's receptors. The network then imports the file. A default that is not a plain
number (or a number with the declared unit) must be given when the type is used.
"""
import hashlib
import re
import subprocess
from pathlib import Path

from pyNN import errors
from pyNN.models import BaseCellType, BaseCurrentSource, BaseSynapseType
from pyNN.parameters import ParameterSpace

from . import compiler, electrodes
from .standardmodels import _SynapseMixin

_KINDS = {"cell": ("Neuron", "SpikeSource"), "synapse": ("Synapse",), "electrode": ("CurrentSource",)}


def model_file(source):
    """The file that holds the model: `source` itself if it names a file, else GDSL text
    kept in the cache folder under its hash."""
    if "\n" not in source and "{" not in source and Path(source).is_file():
        return Path(source).resolve()
    folder = compiler.cache_dir() / "models"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("%s.gdsl" % hashlib.sha256(source.encode()).hexdigest()[:32])
    if not path.is_file():
        path.write_text(source)
    return path


def _number(lines, k):
    """The value of the default expression starting on line k of the dump (or None)."""
    head = lines[k]
    inline = re.search(r"= (Number|Quantity) (-?[0-9.eE+-]+)( (\S+))? <", head)
    if inline:
        return float(inline.group(2)), inline.group(4)
    if head.rstrip().endswith(">") and " = <" in head and k + 2 < len(lines):
        unary, number = lines[k + 1].strip(), lines[k + 2].strip()
        m = re.match(r"(Number|Quantity) ([0-9.eE+-]+)( (\S+))? <", number)
        if unary.startswith("Unary -") and m:
            return -float(m.group(2)), m.group(4)
    return None, None


def read_model(path, name, kind):
    """Parameters {name: (default, unit)}, state {name: (initial, unit)}, receptors and the
    GDSL kind of model `name` in `path`."""
    gennc = compiler.find_gennc()
    result = subprocess.run([str(gennc), str(path), "--emit=ast"], capture_output=True, text=True)
    if result.returncode != 0:
        raise errors.NoModelAvailableError("gennc cannot read %s:\n%s" % (path, result.stderr.strip()))
    lines = result.stdout.splitlines()
    start = None
    for k, line in enumerate(lines):
        m = re.match(r"  (\w+) (\w+) <", line)
        if m and m.group(2) == name:
            if m.group(1) not in _KINDS[kind]:
                raise errors.NoModelAvailableError("%s in %s is a %s, not a %s model"
                                                   % (name, path, m.group(1), kind))
            start, gdsl_kind = k, m.group(1)
            break
    if start is None:
        raise errors.NoModelAvailableError("no model %s in %s" % (name, path))
    parameters, state, receptors = {}, {}, []
    for k in range(start + 1, len(lines)):
        line = lines[k]
        if not line.startswith("    "):
            break
        m = re.match(r"    (Parameter|State) (\w+): ([^=]+?) = ", line)
        if m:
            value, unit = _number(lines, k)
            declared = m.group(3).strip()
            if value is None or (unit is not None and unit != declared):
                raise errors.NoModelAvailableError(
                    "pynn_gennc: %s.%s's default is not a plain number in %s; give it a literal "
                    "default" % (name, m.group(2), declared))
            (parameters if m.group(1) == "Parameter" else state)[m.group(2)] = (value, declared)
        m = re.match(r"    Receptor (\w+): (\w+)", line)
        if m:
            receptors.append(m.group(1))
    return parameters, state, receptors, gdsl_kind


def _unit(declared):
    return "dimensionless" if declared in ("real", "int", "bool", "") else declared


class NativeCellType(BaseCellType):
    """A cell type whose model is written in GDSL (see native_cell_type)."""

    @property
    def native_parameters(self):
        return self.parameter_space

    def reverse_translate(self, native_parameters):
        return native_parameters

    def get_native_names(self, *names):
        return list(names) if names else list(self.default_parameters)

    def computed_parameters(self):
        return []

    def computed_parameters_include(self, parameter_names):
        return False


class NativeSynapseType(_SynapseMixin, BaseSynapseType):
    """A synapse type whose model is written in GDSL (see native_synapse_type)."""

    @property
    def native_parameters(self):
        return self.parameter_space

    def get_native_names(self, *names):
        return list(names) if names else list(self.default_parameters)


def native_cell_type(name, source):
    """A PyNN cell type for GDSL neuron or spike source `name`, from a file or GDSL text."""
    path = model_file(source)
    parameters, state, receptors, kind = read_model(path, name, "cell")
    namespace = {
        "gdsl_model": name, "gdsl_file": path,
        "default_parameters": {k: v for k, (v, _) in parameters.items()},
        "default_initial_values": {k: v for k, (v, _) in state.items()},
        "units": {k: _unit(u) for k, (_, u) in {**parameters, **state}.items()},
        "recordable": ["spikes"] + list(state),
        "receptor_types": tuple(receptors) or ("excitatory",),
        "injectable": kind == "Neuron",
        "conductance_based": False,
    }
    return type(name, (NativeCellType,), namespace)


def native_synapse_type(name, source):
    """A PyNN synapse type for GDSL synapse `name` (with `weight` and `delay` parameters)."""
    path = model_file(source)
    parameters, state, _, _ = read_model(path, name, "synapse")
    defaults = {k: v for k, (v, _) in {**parameters, **state}.items()}
    defaults.setdefault("weight", 0.0)
    defaults.setdefault("delay", None)
    return type(name, (NativeSynapseType,), {"gdsl_model": name, "gdsl_file": path,
                                              "default_parameters": defaults,
                                              "units": {k: _unit(u) for k, (_, u) in parameters.items()}})


def native_electrode_type(name, source):
    """A PyNN current source for GDSL current_source `name`."""
    path = model_file(source)
    parameters, _, _, _ = read_model(path, name, "electrode")
    def set_parameters(self, **values):
        self.set_native_parameters(ParameterSpace(values, self.get_schema(), shape=(1,)))

    return type(name, (electrodes.CurrentSource, BaseCurrentSource), {
        "gdsl_model": name, "gdsl_file": path, "set_parameters": set_parameters,
        "default_parameters": {k: v for k, (v, _) in parameters.items()},
        "units": {k: _unit(u) for k, (_, u) in parameters.items()}})
